// Which links, selections and downloads the extension offers to send, and in what form.
import { findMagnetInText, looksLikeMagnet } from '@tseeder/shared/magnet'

/** Link patterns the "Send to tseeder" menu appears on (`contextMenus` target URL patterns). */
export const SENDABLE_LINK_PATTERNS = ['magnet:*', '*://*/*.torrent', '*://*/*.torrent?*']

export type SendTarget = { kind: 'magnet'; magnet: string } | { kind: 'torrent'; url: string }

const TORRENT_MIME = 'application/x-bittorrent'

/** True for an http(s) URL whose path ends in `.torrent`. */
export function isTorrentUrl(url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return (
    (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
    /\.torrent$/i.test(parsed.pathname)
  )
}

/** What a link points at, if it is something tseeder takes. */
export function classifyLink(url: string | undefined): SendTarget | null {
  if (!url) return null
  if (looksLikeMagnet(url)) return { kind: 'magnet', magnet: url.trim() }
  if (isTorrentUrl(url)) return { kind: 'torrent', url }
  return null
}

/** What the right-clicked link or selection holds, link first. */
export function targetFromMenuClick(info: {
  linkUrl?: string
  selectionText?: string
}): SendTarget | null {
  const link = classifyLink(info.linkUrl)
  if (link) return link
  const magnet = findMagnetInText(info.selectionText)
  return magnet ? { kind: 'magnet', magnet } : null
}

export interface DownloadLike {
  url: string
  finalUrl?: string
  filename?: string
  mime?: string
}

/**
 * True when a browser download is a `.torrent`: by MIME type, file name or URL. Downloads of
 * `blob:` and `data:` URLs are left alone, as the extension could not fetch them again.
 */
export function isTorrentDownload(item: DownloadLike): boolean {
  const url = item.finalUrl || item.url
  if (!/^https?:/i.test(url)) return false
  return (
    item.mime?.toLowerCase().split(';')[0]?.trim() === TORRENT_MIME ||
    /\.torrent$/i.test(item.filename ?? '') ||
    isTorrentUrl(url)
  )
}
