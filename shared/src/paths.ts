const MAX_SEGMENT_BYTES = 200
const MAX_DEPTH = 32
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i
const encoder = new TextEncoder()

function truncateUtf8(text: string, maxBytes: number): string {
  if (encoder.encode(text).length <= maxBytes) return text
  const chars = [...text]
  while (chars.length && encoder.encode(chars.join('')).length > maxBytes) chars.pop()
  return chars.join('')
}

/**
 * One path segment from torrent metadata, made safe for every file system and object store:
 * no separators, no control characters, no `.`/`..`, no Windows device names, at most 200 bytes
 * (the extension kept). Returns `null` for a segment that is empty once cleaned.
 */
export function sanitizePathSegment(segment: string): string | null {
  const cleaned = segment
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/[/\\:*?"<>|]/g, '_')
    .trim()
    .replace(/[. ]+$/, '')
  if (!cleaned || /^\.+$/.test(cleaned)) return null
  const safe = WINDOWS_RESERVED.test(cleaned) ? `_${cleaned}` : cleaned
  const dot = safe.lastIndexOf('.')
  const ext = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : ''
  const base = ext ? safe.slice(0, dot) : safe
  return truncateUtf8(base, MAX_SEGMENT_BYTES - encoder.encode(ext).length) + ext
}

/**
 * A relative `/`-separated path from a torrent's raw path segments. Segments are cleaned one by
 * one (a segment holding `../x` cannot climb: separators inside it become `_`), empty ones are
 * dropped, and the depth is capped. Never returns an absolute path or one containing `..`.
 */
export function sanitizeTorrentPath(segments: readonly string[], fallback = 'file'): string {
  const parts = segments.map(sanitizePathSegment).filter((part): part is string => part !== null)
  const capped =
    parts.length > MAX_DEPTH ? [...parts.slice(0, MAX_DEPTH - 1), parts.at(-1)!] : parts
  return capped.length ? capped.join('/') : fallback
}

/**
 * Sanitises every file's path and makes them unique (case-insensitively, as on macOS and
 * Windows) by adding ` (2)`, ` (3)`, … before the extension.
 */
export function sanitizeTorrentPaths(files: readonly (readonly string[])[]): string[] {
  const taken = new Set<string>()
  return files.map((segments, index) => {
    const path = sanitizeTorrentPath(segments, `file-${index}`)
    let candidate = path
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
      const slash = candidate.lastIndexOf('/')
      const dot = path.lastIndexOf('.')
      candidate =
        dot > path.lastIndexOf('/') + 1 && dot > slash
          ? `${path.slice(0, dot)} (${n})${path.slice(dot)}`
          : `${path} (${n})`
    }
    taken.add(candidate.toLowerCase())
    return candidate
  })
}
