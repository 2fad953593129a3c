import parseTorrent from 'parse-torrent'
import { sanitizePathSegment, sanitizeTorrentPaths } from './paths.ts'
import type { FileEntry } from './schemas/file.ts'

/** Largest .torrent file the API accepts. */
export const MAX_TORRENT_BYTES = 5 * 1024 * 1024

/**
 * Most files a torrent may list, from a .torrent or from a magnet's metadata. Each file is one
 * D1 row, written in one batch with its job (and again once stored): a batch must stay within
 * D1's statement and time limits, so a torrent of a million tiny files cannot stall the database.
 */
export const MAX_TORRENT_FILES = 10_000

/** What a user reads when a torrent lists more files than {@link MAX_TORRENT_FILES}. */
export function tooManyFilesMessage(count: number): string {
  return `This torrent lists ${count.toLocaleString('en-US')} files; tseeder accepts torrents of up to ${MAX_TORRENT_FILES.toLocaleString('en-US')} files.`
}

export class InvalidTorrentError extends Error {
  override readonly name = 'InvalidTorrentError'
}

export interface ParsedTorrent {
  infohash: string
  name: string
  files: FileEntry[]
  bytesTotal: number
  pieceLength: number
  trackers: string[]
  private: boolean
}

const decoder = new TextDecoder()

/**
 * Parses a .torrent file (bencoded bytes) with parse-torrent and returns its metadata with every
 * path sanitised: names inside a torrent are hostile input. Throws {@link InvalidTorrentError}.
 */
export async function parseTorrentFile(bytes: Uint8Array): Promise<ParsedTorrent> {
  if (bytes.byteLength === 0) throw new InvalidTorrentError('The .torrent file is empty.')
  if (bytes.byteLength > MAX_TORRENT_BYTES) {
    throw new InvalidTorrentError('The .torrent file is larger than 5 MiB.')
  }
  let parsed
  try {
    parsed = await parseTorrent(bytes)
  } catch (error) {
    throw new InvalidTorrentError(
      `This is not a valid .torrent file (${error instanceof Error ? error.message : 'unreadable'}).`,
    )
  }
  const info = parsed.info
  const rawName = decoder.decode(info['name.utf-8'] ?? info.name ?? new Uint8Array())
  const name = sanitizePathSegment(rawName) ?? parsed.infoHash
  const rawFiles = info.files
    ? info.files.map((f) => ({
        size: f.length,
        segments: [rawName, ...(f['path.utf-8'] ?? f.path ?? []).map((p) => decoder.decode(p))],
      }))
    : [{ size: info.length ?? 0, segments: [rawName] }]
  if (rawFiles.length > MAX_TORRENT_FILES) {
    throw new InvalidTorrentError(tooManyFilesMessage(rawFiles.length))
  }
  if (rawFiles.some((f) => !Number.isSafeInteger(f.size) || f.size < 0)) {
    throw new InvalidTorrentError('The .torrent file lists a file with an invalid size.')
  }
  const paths = sanitizeTorrentPaths(rawFiles.map((f) => f.segments))
  const files = rawFiles.map((f, index) => ({ index, path: paths[index]!, size: f.size }))
  return {
    infohash: parsed.infoHash,
    name,
    files,
    bytesTotal: files.reduce((sum, f) => sum + f.size, 0),
    pieceLength: info['piece length'],
    trackers: parsed.announce,
    private: parsed.private ?? false,
  }
}
