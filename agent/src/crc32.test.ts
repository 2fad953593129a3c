import { randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { crc32, crc32Combine } from './crc32.ts'

describe('crc32', () => {
  it('gives the check value of the standard test string', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
    expect(crc32(new Uint8Array())).toBe(0)
  })

  it('agrees with Python zlib on random data of several lengths, aligned or not', () => {
    const data = randomBytes(4096 + 13)
    const odd = Buffer.concat([Buffer.alloc(1), data]).subarray(1)
    const lengths = [1, 7, 8, 9, 15, 16, 17, 4096 + 13]
    const expected = execFileSync('python3', [
      '-c',
      `import sys,zlib;d=bytes.fromhex(sys.argv[1]);print(' '.join(str(zlib.crc32(d[:n])) for n in map(int,sys.argv[2:])))`,
      data.toString('hex'),
      ...lengths.map(String),
    ])
      .toString()
      .trim()
      .split(' ')
      .map(Number)
    expect(lengths.map((n) => crc32(data.subarray(0, n)))).toEqual(expected)
    expect(lengths.map((n) => crc32(odd.subarray(0, n)))).toEqual(expected)
  })

  it('continues from a previous CRC as if the bytes were one', () => {
    const data = randomBytes(1000)
    expect(crc32(data.subarray(300), crc32(data.subarray(0, 300)))).toBe(crc32(data))
  })

  it('combines the CRCs of two parts into the CRC of both', () => {
    const data = randomBytes(70_001)
    for (const cut of [0, 1, 8, 65_536, 70_001]) {
      const a = data.subarray(0, cut)
      const b = data.subarray(cut)
      expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(data))
    }
  })
})
