/**
 * CRC-32 (IEEE 802.3, as ZIP and gzip use it), computed while the agent reads a file for upload so
 * the API can build ZIP archives without hashing anything. Node's `zlib.crc32` arrives only in
 * Node 20.15/22.2; this is the slice-by-8 table method (several hundred MB/s on one core), and
 * {@link crc32Combine} joins the CRCs of parts that were read out of order.
 */

const TABLES = (() => {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256))
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    tables[0]![n] = c
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[0]![n]!
    for (let t = 1; t < 8; t++) {
      c = tables[0]![c & 0xff]! ^ (c >>> 8)
      tables[t]![n] = c
    }
  }
  return tables
})()

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** The CRC-32 of `bytes`, continuing from `previous` (the CRC of the bytes before them). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ]
  let crc = ~previous
  let i = 0
  const end8 = bytes.length - (bytes.length % 8)
  // Whole 32-bit words when the bytes are aligned (they are in Node's buffers): half the reads.
  const words =
    LITTLE_ENDIAN && bytes.byteOffset % 4 === 0
      ? new Int32Array(bytes.buffer, bytes.byteOffset, end8 >>> 2)
      : null
  if (words) {
    for (let w = 0; w < words.length; w += 2, i += 8) {
      const a = words[w]! ^ crc
      const b = words[w + 1]!
      crc =
        t7[a & 0xff]! ^
        t6[(a >>> 8) & 0xff]! ^
        t5[(a >>> 16) & 0xff]! ^
        t4[a >>> 24]! ^
        t3[b & 0xff]! ^
        t2[(b >>> 8) & 0xff]! ^
        t1[(b >>> 16) & 0xff]! ^
        t0[b >>> 24]!
    }
  }
  for (; i < end8; i += 8) {
    const a =
      (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ crc
    crc =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[bytes[i + 4]!]! ^
      t2[bytes[i + 5]!]! ^
      t1[bytes[i + 6]!]! ^
      t0[bytes[i + 7]!]!
  }
  for (; i < bytes.length; i++) crc = t0[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
  return ~crc >>> 0
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
