// The shape a decoded .torrent must have before any of its fields is trusted (BEP 3, BEP 47,
// BEP 52). Bencode decodes to byte strings, integers, lists and dictionaries of anything: every
// field the parser reads is checked here, and a failure is told in the user's words.
import { z } from 'zod'

const Bytes = z.instanceof(Uint8Array)
const Size = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
const Dict = z.custom<Record<string, unknown>>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array),
)

const V1File = z.object({
  length: Size,
  path: z.array(Bytes).min(1).optional(),
  'path.utf-8': z.array(Bytes).min(1).optional(),
  attr: z.unknown().optional(),
})

/** A v1 (or hybrid) info dictionary as tseeder reads it. */
export const V1Info = z.object({
  name: Bytes.optional(),
  'name.utf-8': Bytes.optional(),
  'piece length': z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  pieces: Bytes.refine((pieces) => pieces.byteLength % 20 === 0),
  length: Size.optional(),
  files: z.array(V1File).min(1).optional(),
  private: z.unknown().optional(),
})
export type V1Info = z.infer<typeof V1Info>

export const TorrentRoot = z.object({ info: Dict })

/**
 * False when a dictionary inside `value` has a key `__proto__`: the decoder gave it another
 * prototype, so fields read from it could come from that prototype instead of from the bytes
 * that are hashed, and the API and the agent would not see the same torrent.
 */
export function hasOnlyPlainDicts(value: unknown): boolean {
  const stack = [value]
  while (stack.length) {
    const item = stack.pop()
    if (item instanceof Uint8Array || typeof item !== 'object' || item === null) continue
    if (!Array.isArray(item) && Object.getPrototypeOf(item) !== Object.prototype) return false
    stack.push(...Object.values(item))
  }
  return true
}

/** True for an info dictionary of a v2-only torrent (BEP 52): a file tree, no v1 pieces. */
export function isV2Only(info: Record<string, unknown>): boolean {
  return info.pieces === undefined && (info['meta version'] !== undefined || 'file tree' in info)
}

/** What is wrong with a torrent, from the first problem zod found, in the user's words. */
export function describeShapeProblem(issue: z.core.$ZodIssue | undefined): string {
  const path = issue?.path ?? []
  const key = path.at(-1)
  const fileAt = path.indexOf('files')
  const fileNo = fileAt >= 0 && typeof path[fileAt + 1] === 'number' ? path[fileAt + 1] : null
  const file = fileNo === null ? 'a file' : `file ${Number(fileNo) + 1}`
  if (path.length === 0 || (path.length === 1 && key === 'info')) return 'it has no info dictionary'
  if (key === 'name' || key === 'name.utf-8') return 'its name is not text'
  if (key === 'piece length') return 'its piece length is not a positive whole number'
  if (key === 'pieces') return 'its piece hashes are missing or cut short'
  if (key === 'files') return 'its file list is empty or not a list'
  if (fileNo !== null && path.length === fileAt + 2) return `${file} in its file list is not a file`
  if (key === 'length') return `the size of ${file} is not a whole number of bytes`
  if (path.includes('path') || path.includes('path.utf-8')) return `the path of ${file} is not text`
  return 'its metadata is not in the expected shape'
}
