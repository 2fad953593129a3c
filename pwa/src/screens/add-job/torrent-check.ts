// Checks a picked .torrent in the browser with the API's own parser, so the user sees what is
// wrong, or the files inside, before anything is uploaded. The parser (bencode, zod checks) is
// loaded when a file is picked, not with the first page.
import { formatBytes, type FileEntry } from '@tseeder/shared'
import { torrentFileError } from './add-job-form.ts'

export type TorrentCheck =
  | { state: 'ok'; name: string; files: FileEntry[]; bytesTotal: number }
  | { state: 'refused'; message: string }

/** At most this many files are listed under a picked .torrent; the rest are counted. */
export const LISTED_FILES = 50

/**
 * Reads a picked file as a .torrent: its name, type and size first, then its contents with the
 * shared parser. Never throws: an unreadable file is a refusal with words for the user.
 *
 * @example
 * const check = await checkTorrentFile(file)
 * if (check.state === 'refused') showError(check.message)
 */
export async function checkTorrentFile(file: File): Promise<TorrentCheck> {
  const error = torrentFileError(file)
  if (error) return { state: 'refused', message: error }
  try {
    const [{ parseTorrentFile }, buffer] = await Promise.all([
      import('@tseeder/shared/torrent'),
      file.arrayBuffer(),
    ])
    const result = await parseTorrentFile(new Uint8Array(buffer))
    if (!result.ok) return { state: 'refused', message: result.message }
    const { name, files, bytesTotal } = result.torrent
    return { state: 'ok', name, files, bytesTotal }
  } catch {
    return {
      state: 'refused',
      message: `"${file.name}" could not be read. Pick it again, or download the .torrent again.`,
    }
  }
}

/** "3 files, 1.2 GB in total" for a checked torrent. */
export function describeTorrentSize(check: Extract<TorrentCheck, { state: 'ok' }>): string {
  const count = check.files.length
  return `${count.toLocaleString('en-US')} ${count === 1 ? 'file' : 'files'}, ${formatBytes(check.bytesTotal)} in total`
}

/** A file's path as shown under the torrent: without the torrent's own top folder. */
export function shownPath(path: string, torrentName: string): string {
  return path.startsWith(`${torrentName}/`) ? path.slice(torrentName.length + 1) : path
}
