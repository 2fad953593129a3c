// Fetches a .torrent the way the user's browser would, with the site's cookies, so torrents of
// private trackers (which need a signed-in session) can be sent too.
import { parseTorrentFile } from '@tseeder/shared/torrent'

/** A .torrent is a few KB to a few MB; anything far larger is not one. */
const MAX_TORRENT_BYTES = 20_000_000

export class TorrentFetchError extends Error {
  override readonly name = 'TorrentFetchError'
}

export interface TorrentFile {
  file: File
  name: string
}

/**
 * Downloads a .torrent with the browser's cookies for its site (`credentials: 'include'`; the
 * extension needs host access to the site for the cookies to be sent). Throws
 * {@link TorrentFetchError} with a sentence that says what to do.
 */
export async function fetchTorrentFile(
  url: string,
  fetchImpl: typeof fetch = fetch,
): Promise<TorrentFile> {
  const site = new URL(url).host
  let response: Response
  try {
    response = await fetchImpl(url, { credentials: 'include', redirect: 'follow' })
  } catch {
    throw new TorrentFetchError(
      `Could not download the .torrent from ${site}. Check that the site is reachable and that tseeder may read .torrent files (extension options).`,
    )
  }
  if (!response.ok) {
    throw new TorrentFetchError(
      response.status === 401 || response.status === 403
        ? `${site} refused the .torrent (${response.status}). Sign in to ${site} in this browser, then send it again.`
        : `${site} answered ${response.status} for the .torrent.`,
    )
  }
  const bytes = new Uint8Array(await response.arrayBuffer())
  if (bytes.byteLength > MAX_TORRENT_BYTES) {
    throw new TorrentFetchError(`The file from ${site} is too large to be a .torrent.`)
  }
  // Every .torrent is a bencoded dictionary; a login page served instead starts with "<".
  if (bytes[0] !== 0x64 /* "d" */) {
    throw new TorrentFetchError(
      `${site} did not send a .torrent file (it may want you to sign in first).`,
    )
  }
  // Checked here with the API's own parser, so the notification says what is wrong at once.
  const parsed = await parseTorrentFile(bytes)
  if (!parsed.ok) {
    throw new TorrentFetchError(`The .torrent from ${site} cannot be used. ${parsed.message}`)
  }
  const name = torrentFileName(response.headers.get('content-disposition'), response.url || url)
  return {
    file: new File([bytes], name, { type: 'application/x-bittorrent' }),
    name: name.replace(/\.torrent$/i, ''),
  }
}

/** The file name from `Content-Disposition`, else the URL's last path segment. */
function torrentFileName(disposition: string | null, url: string): string {
  const star = disposition?.match(/filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i)?.[1]
  const plain = disposition?.match(/filename\s*=\s*"?([^";]+)"?/i)?.[1]
  let name = ''
  try {
    name = star ? decodeURIComponent(star.trim().replace(/^"|"$/g, '')) : (plain?.trim() ?? '')
  } catch {
    name = plain?.trim() ?? ''
  }
  if (!name) {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop() ?? ''
    try {
      name = decodeURIComponent(last)
    } catch {
      name = last
    }
  }
  name = name.replace(/[/\\]/g, '_') || 'download.torrent'
  return /\.torrent$/i.test(name) ? name : `${name}.torrent`
}
