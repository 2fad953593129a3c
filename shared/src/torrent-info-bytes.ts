// BEP 3 defines the info hash over the info dictionary's bytes exactly as the .torrent holds
// them. Decoding and re-encoding sorts keys and rewrites integers, so for a torrent written
// by a client that did not sort its keys it gives a hash no other client computes.

const DICT = 0x64 // d
const LIST = 0x6c // l
const INT = 0x69 // i
const END = 0x65 // e
const COLON = 0x3a
const ZERO = 0x30
const NINE = 0x39

/** Nesting a .torrent never needs (info › files › file › path is 4 deep). */
const MAX_DEPTH = 100
/** Digits of a string length: more would be past any .torrent the size limit lets through. */
const MAX_LENGTH_DIGITS = 9
/** Bytes between `i` and `e` of an integer (the decoder accepts signs and a fraction). */
const MAX_INTEGER_BYTES = 64

/** End of the string whose length prefix starts at `at`, or -1. */
function stringEnd(bytes: Uint8Array, at: number): number {
  let length = 0
  let pos = at
  while (pos < bytes.length && bytes[pos]! >= ZERO && bytes[pos]! <= NINE) {
    if (pos - at >= MAX_LENGTH_DIGITS) return -1
    length = length * 10 + (bytes[pos]! - ZERO)
    pos++
  }
  if (pos === at || bytes[pos] !== COLON) return -1
  const end = pos + 1 + length
  return end <= bytes.length ? end : -1
}

/** End of the integer starting at `at` (its `i`), or -1. */
function integerEnd(bytes: Uint8Array, at: number): number {
  const limit = Math.min(bytes.length, at + 2 + MAX_INTEGER_BYTES)
  for (let pos = at + 1; pos < limit; pos++) if (bytes[pos] === END) return pos + 1
  return -1
}

/** End of the value starting at `at`, or -1; a loop with a depth count, never recursion. */
function valueEnd(bytes: Uint8Array, at: number): number {
  let pos = at
  let depth = 0
  do {
    const byte = bytes[pos]
    if (byte === DICT || byte === LIST) {
      if (++depth > MAX_DEPTH) return -1
      pos++
    } else if (byte === END) {
      if (depth === 0) return -1
      depth--
      pos++
    } else {
      pos = byte === INT ? integerEnd(bytes, pos) : stringEnd(bytes, pos)
      if (pos < 0) return -1
    }
  } while (depth > 0)
  return pos
}

const INFO = [0x69, 0x6e, 0x66, 0x6f] // info

/**
 * The bytes of a .torrent's top-level `info` value exactly as written, for hashing (BEP 3: the
 * info hash is the SHA-1 of these bytes, whatever their key order). `null` when the top level is
 * not a dictionary, has no `info` dictionary or two of them, or is malformed or nested past
 * {@link MAX_DEPTH}. Never throws; linear in the input's length.
 *
 * @example
 * const info = infoSection(bytes)
 * if (info) infohash = await sha1Hex(info)
 */
export function infoSection(bytes: Uint8Array): Uint8Array | null {
  if (bytes[0] !== DICT) return null
  let pos = 1
  let found: Uint8Array | null = null
  while (pos < bytes.length && bytes[pos] !== END) {
    const keyEnd = stringEnd(bytes, pos)
    if (keyEnd < 0) return null
    const end = valueEnd(bytes, keyEnd)
    if (end < 0) return null
    const keyLength = keyEnd - bytes.indexOf(COLON, pos) - 1
    const isInfo = keyLength === 4 && INFO.every((b, i) => bytes[keyEnd - 4 + i] === b)
    if (isInfo) {
      if (found) return null
      found = bytes.subarray(keyEnd, end)
    }
    pos = end
  }
  if (pos >= bytes.length) return null
  return found?.[0] === DICT ? found : null
}

/**
 * `torrent` with its info section replaced by `info` (the same dictionary as written elsewhere):
 * for a .torrent a library re-encoded, whose info hash changed if the keys were not sorted.
 * `torrent` unchanged when it has no single info dictionary.
 *
 * @example
 * const kept = withInfoSection(toTorrentFile(parsed), infoSection(original)!)
 */
export function withInfoSection(torrent: Uint8Array, info: Uint8Array): Uint8Array {
  const current = infoSection(torrent)
  if (!current) return torrent
  const start = current.byteOffset - torrent.byteOffset
  const out = new Uint8Array(torrent.byteLength - current.byteLength + info.byteLength)
  out.set(torrent.subarray(0, start))
  out.set(info, start)
  out.set(torrent.subarray(start + current.byteLength), start + info.byteLength)
  return out
}
