import { crc32 as zlibCrc32 } from 'node:zlib'

/**
 * CRC-32 (IEEE 802.3, as ZIP and gzip use it), computed while the agent reads a file for upload so
 * the API can build ZIP archives without hashing anything: Node's own `zlib.crc32` (Node ≥ 20.15,
 * the project needs 20.19), and {@link crc32Combine} to join the CRCs of parts read out of order.
 */

/** The CRC-32 of `bytes`, continuing from `previous` (the CRC of the bytes before them). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return zlibCrc32(bytes, previous)
}

function gf2Times(matrix: Uint32Array, vector: number): number {
  let sum = 0
  for (let i = 0; vector !== 0; i++, vector >>>= 1) if (vector & 1) sum ^= matrix[i]!
  return sum >>> 0
}

function gf2Square(square: Uint32Array, matrix: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2Times(matrix, matrix[n]!)
}

/**
 * The CRC-32 of A followed by B, from the CRC of A, the CRC of B and B's length (zlib's
 * `crc32_combine`: B's length in zero bits is applied to A's CRC by repeated squaring).
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0
  const even = new Uint32Array(32)
  const odd = new Uint32Array(32)
  odd[0] = 0xedb88320
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row
  gf2Square(even, odd)
  gf2Square(odd, even)
  let crc = crcA >>> 0
  let length = lengthB
  do {
    gf2Square(even, odd)
    if (length % 2) crc = gf2Times(even, crc)
    length = Math.floor(length / 2)
    if (length === 0) break
    gf2Square(odd, even)
    if (length % 2) crc = gf2Times(odd, crc)
    length = Math.floor(length / 2)
  } while (length !== 0)
  return (crc ^ crcB) >>> 0
}
