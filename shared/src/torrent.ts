import bencode from 'bencode'
import { infoSection } from './torrent-info-bytes.ts'
import { sanitizePathSegment, sanitizeTorrentPaths } from './paths.ts'
import type { FileEntry } from './schemas/file.ts'
import {
  limitMessages,
  MAX_TORRENT_BYTES,
  MAX_TORRENT_FILES,
  MAX_TORRENT_NAME_BYTES,
  MAX_TORRENT_PATH_BYTES,
  MAX_TORRENT_PATH_DEPTH,
  MAX_TORRENT_PIECES,
  tooManyFilesMessage,
} from './torrent-limits.ts'
import {
  describeShapeProblem,
  hasOnlyPlainDicts,
  isV2Only,
  TorrentRoot,
  V1Info,
} from './torrent-shape.ts'

export * from './torrent-limits.ts'
export { infoSection, withInfoSection } from './torrent-info-bytes.ts'

export interface ParsedTorrent {
  infohash: string
  name: string
  /**
   * The files a user gets, each with its index in the torrent's own v1 file list. BEP 47
   * padding files are left out, so indices may have gaps (0, 2, 4).
   */
  files: FileEntry[]
  /** Bytes of the real files (padding excluded). */
  bytesTotal: number
  pieceLength: number
  trackers: string[]
  private: boolean
}

/** Why a .torrent was refused, in words the user can act on; never a library's message. */
export interface TorrentRefusal {
  ok: false
  code: 'invalid_torrent'
  message: string
}

export type TorrentParseResult = { ok: true; torrent: ParsedTorrent } | TorrentRefusal

const AGAIN = 'Download the .torrent again, or ask its source for a working one.'

function refuse(message: string): TorrentRefusal {
  return { ok: false, code: 'invalid_torrent', message }
}

const decoder = new TextDecoder()
const utf8Length = (bytes: Uint8Array): number => bytes.byteLength
const text = (bytes: Uint8Array): string => decoder.decode(bytes)

function isPadFile(attr: unknown): boolean {
  return attr instanceof Uint8Array && text(attr).includes('p')
}

function trackersOf(root: Record<string, unknown>): string[] {
  const found: string[] = []
  const list = root['announce-list']
  if (Array.isArray(list)) {
    for (const tier of list) {
      if (!Array.isArray(tier)) continue
      for (const url of tier) if (url instanceof Uint8Array) found.push(text(url))
    }
  }
  if (!found.length && root.announce instanceof Uint8Array) found.push(text(root.announce))
  return [...new Set(found)].slice(0, 200)
}

async function sha1Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', bytes as BufferSource))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}

interface RawFile {
  index: number
  size: number
  segments: Uint8Array[]
}

/** The limits on names, depth and paths, checked on the raw bytes before any cleaning. */
function limitProblem(name: Uint8Array, files: RawFile[], pieces: number): string | null {
  if (files.length > MAX_TORRENT_FILES) return tooManyFilesMessage(files.length)
  if (pieces > MAX_TORRENT_PIECES) return limitMessages.pieces(pieces)
  if (utf8Length(name) > MAX_TORRENT_NAME_BYTES) return limitMessages.nameBytes(utf8Length(name))
  for (const file of files) {
    if (file.segments.length > MAX_TORRENT_PATH_DEPTH)
      return limitMessages.depth(file.segments.length)
    let bytes = 0
    for (const segment of file.segments) {
      if (utf8Length(segment) > MAX_TORRENT_NAME_BYTES)
        return limitMessages.nameBytes(utf8Length(segment))
      bytes += utf8Length(segment) + 1
    }
    if (bytes - 1 > MAX_TORRENT_PATH_BYTES) return limitMessages.pathBytes(bytes - 1)
  }
  return null
}

async function parseDecoded(
  decoded: unknown,
  infoBytes: Uint8Array | null,
): Promise<TorrentParseResult> {
  const root = TorrentRoot.safeParse(decoded)
  if (!root.success)
    return refuse(`This is not a valid .torrent file: it has no info dictionary. ${AGAIN}`)
  const rawInfo = root.data.info
  if (!infoBytes || !hasOnlyPlainDicts(rawInfo)) {
    return refuse(
      `This .torrent file is damaged: its metadata is not in the expected shape. ${AGAIN}`,
    )
  }
  if (isV2Only(rawInfo)) {
    return refuse('v2-only torrents are not supported yet; ask for a v1 or hybrid torrent.')
  }
  const shape = V1Info.safeParse(rawInfo)
  if (!shape.success) {
    const problem = describeShapeProblem(shape.error.issues[0])
    return refuse(`This .torrent file is damaged: ${problem}. ${AGAIN}`)
  }
  const info = shape.data
  const rawName = info['name.utf-8'] ?? info.name
  if (!rawName) return refuse(`This .torrent file is damaged: it has no name. ${AGAIN}`)
  let raw: RawFile[]
  if (info.files) {
    raw = []
    for (const [index, file] of info.files.entries()) {
      const path = file['path.utf-8'] ?? file.path
      if (!path)
        return refuse(`This .torrent file is damaged: file ${index + 1} has no path. ${AGAIN}`)
      if (!isPadFile(file.attr)) raw.push({ index, size: file.length, segments: path })
    }
  } else if (info.length !== undefined) {
    raw = [{ index: 0, size: info.length, segments: [] }]
  } else {
    return refuse(`This .torrent file is damaged: it lists no files and no size. ${AGAIN}`)
  }
  const limit = limitProblem(rawName, raw, info.pieces.byteLength / 20)
  if (limit) return refuse(limit)
  const bytesTotal = raw.reduce((sum, f) => sum + f.size, 0)
  if (!Number.isSafeInteger(bytesTotal)) {
    return refuse(`This .torrent file is damaged: its files add up to an impossible size. ${AGAIN}`)
  }
  const infohash = await sha1Hex(infoBytes)
  const name = text(rawName)
  const paths = sanitizeTorrentPaths(raw.map((f) => [name, ...f.segments.map(text)]))
  const files = raw.map((f, i) => ({ index: f.index, path: paths[i]!, size: f.size }))
  return {
    ok: true,
    torrent: {
      infohash,
      name: sanitizePathSegment(name) ?? infohash,
      files,
      bytesTotal,
      pieceLength: info['piece length'],
      trackers: trackersOf(decoded as Record<string, unknown>),
      private: info.private === 1,
    },
  }
}

/**
 * Reads a .torrent file (bencoded bytes): checks its shape field by field and every limit in
 * `torrent-limits.ts`, hashes the info dictionary's bytes as written (see `infoSection`), drops BEP 47 padding files and cleans every path (names inside a torrent
 * are hostile input). Never throws: a bad file is a {@link TorrentRefusal}.
 *
 * @example
 * const result = await parseTorrentFile(bytes)
 * if (!result.ok) throw new HttpError(400, result.code, result.message)
 */
export async function parseTorrentFile(bytes: Uint8Array): Promise<TorrentParseResult> {
  if (bytes.byteLength === 0) return refuse('The .torrent file is empty. Pick the file again.')
  if (bytes.byteLength > MAX_TORRENT_BYTES) return refuse(limitMessages.bytes(bytes.byteLength))
  let decoded: unknown
  try {
    decoded = bencode.decode(bytes)
  } catch {
    return refuse(`This is not a valid .torrent file: it could not be decoded. ${AGAIN}`)
  }
  try {
    return await parseDecoded(decoded, infoSection(bytes))
  } catch {
    return refuse(`This .torrent file could not be read. ${AGAIN}`)
  }
}
