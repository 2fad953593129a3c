import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  closeSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  centralRecord,
  endRecords,
  layoutZip,
  localHeader,
  piecesOf,
  type ZipLayout,
  type ZipSource,
} from './zip-layout.ts'

/** Byte-wise CRC-32 for the test's own data (the agent computes it in production). */
function crc32(bytes: Uint8Array): number {
  let crc = ~0
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1
  }
  return ~crc >>> 0
}

const data = new Map<string, Uint8Array>([
  ['content/x/0', randomBytes(1000)],
  ['content/x/1', new Uint8Array()],
  ['content/x/2', randomBytes(70_001)],
])
const sources: ZipSource[] = [
  { name: 'album/cover.jpg', key: 'content/x/0' },
  { name: 'album/empty.txt', key: 'content/x/1' },
  { name: 'album/disc 1/träck ♫.flac', key: 'content/x/2' },
].map((f) => ({ ...f, size: data.get(f.key)!.length, crc32: crc32(data.get(f.key)!) }))
const modified = new Date('2026-11-29T18:20:42Z')

/** Bytes [start, end) of the archive, read the way the Worker does: piece by piece. */
function read(layout: ZipLayout, start = 0, end = layout.size): Buffer {
  const out = Buffer.alloc(end - start)
  let at = 0
  for (const piece of piecesOf(layout, start, end)) {
    const bytes =
      piece.kind === 'bytes' ? piece.bytes : data.get(piece.key)!.subarray(piece.start, piece.end)
    out.set(bytes, at)
    at += bytes.length
  }
  expect(at).toBe(end - start)
  return out
}

const dir = mkdtempSync(join(tmpdir(), 'zip-layout-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** What Python's zipfile reads from the archive: each name with the SHA-256 of its bytes. */
function pythonReads(path: string): Record<string, string> {
  const script = `import sys,zipfile,hashlib,json
z=zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))`
  return JSON.parse(execFileSync('python3', ['-c', script, path]).toString()) as Record<
    string,
    string
  >
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe('layoutZip', () => {
  for (const zip64 of ['auto', 'always'] as const) {
    it(`lays out an archive that unzip and Python read back byte for byte (zip64 ${zip64})`, () => {
      const layout = layoutZip(sources, modified, { zip64 })
      const archive = read(layout)
      expect(archive.length).toBe(layout.size)
      const path = join(dir, `three-${zip64}.zip`)
      writeFileSync(path, archive)
      const test = execFileSync('unzip', ['-t', path]).toString()
      expect(test).toContain('No errors detected')
      const listing = execFileSync('zipinfo', ['-T', path]).toString()
      expect(listing).toContain('-rw-r--r--')
      expect(listing).toContain('20261129.182042')
      expect(pythonReads(path)).toEqual(
        Object.fromEntries(sources.map((s) => [s.name, sha256(data.get(s.key)!)])),
      )
    })
  }

  it('gives any byte range the same bytes as the whole archive, at every boundary', () => {
    for (const zip64 of ['auto', 'always'] as const) {
      const layout = layoutZip(sources, modified, { zip64 })
      const whole = read(layout)
      const cuts = new Set<number>([0, layout.size])
      for (const e of layout.entries) {
        for (const at of [e.offset, e.dataOffset, e.dataOffset + e.size, e.centralOffset])
          for (const d of [-1, 0, 1]) cuts.add(at + d)
      }
      for (const at of [layout.centralOffset, layout.endOffset, layout.size - 22])
        for (const d of [-1, 0, 1]) cuts.add(at + d)
      const points = [...cuts].filter((p) => p >= 0 && p <= layout.size).sort((a, b) => a - b)
      for (const start of points) {
        for (const end of points) {
          if (end <= start) continue
          const part = Buffer.from(read(layout, start, end))
          if (!part.equals(whole.subarray(start, end))) {
            expect.fail(`bytes ${start}-${end} differ from the whole archive's`)
          }
        }
      }
    }
  })

  it('measures names in UTF-8 as the headers write them (emoji, a lone surrogate)', () => {
    const names = ['a🎵b', 'x\ud800y', 'é/ü', 'plain']
    const layout = layoutZip(
      names.map((name, i) => ({ name, size: 0, crc32: 0, key: `k/${i}` })),
      modified,
    )
    layout.entries.forEach((entry, i) => {
      const encoded = new TextEncoder().encode(names[i])
      expect(entry.nameLength).toBe(encoded.length)
      expect(localHeader(layout, entry).subarray(30)).toEqual(encoded)
    })
  })

  it('yields nothing for an empty or out-of-bounds range', () => {
    const layout = layoutZip(sources, modified)
    expect([...piecesOf(layout, 5, 5)]).toEqual([])
    expect([...piecesOf(layout, 0, layout.size + 1)]).toEqual([])
  })

  it('writes an empty archive as a lone end record', () => {
    const layout = layoutZip([], modified)
    expect(layout.size).toBe(22)
    const path = join(dir, 'empty.zip')
    writeFileSync(path, read(layout))
    expect(pythonReads(path)).toEqual({})
  })
})

describe('ZIP64', () => {
  const GiB = 1024 ** 3
  const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  const big: ZipSource[] = [
    { name: 'a.txt', size: 10, crc32: 1, key: 'k/0' },
    { name: 'movie.mkv', size: 5 * GiB, crc32: 2, key: 'k/1' },
    { name: 'b.txt', size: 20, crc32: 3, key: 'k/2' },
  ]

  it('keeps the classic records while every size and offset fits in 32 bits', () => {
    const size = 0xffffffff - 32
    const layout = layoutZip([{ name: 'a', size, crc32: 0, key: 'k' }], modified)
    expect(layout.zip64End).toBe(false)
    expect(layout.entries[0]!.zip64Sizes).toBe(false)
    expect(layout.centralOffset).toBe(0xfffffffe)
    expect(layout.size).toBe(30 + 1 + size + 46 + 1 + 22)
  })

  it('gives a file of 4 GiB or more ZIP64 sizes in its local header and central record', () => {
    const layout = layoutZip(big, modified)
    const [small, movie, after] = layout.entries
    expect(small!.zip64Sizes || small!.zip64Central).toBe(false)
    expect(movie!.zip64Sizes).toBe(true)
    const local = view(localHeader(layout, movie!))
    expect(local.getUint16(4, true)).toBe(45)
    expect(local.getUint32(18, true)).toBe(0xffffffff)
    expect(local.getUint32(22, true)).toBe(0xffffffff)
    const extra = 30 + 'movie.mkv'.length
    expect(local.getUint16(28, true)).toBe(20)
    expect(local.getUint16(extra, true)).toBe(0x0001)
    expect(local.getBigUint64(extra + 4, true)).toBe(BigInt(5 * GiB))
    expect(local.getBigUint64(extra + 12, true)).toBe(BigInt(5 * GiB))
    expect(movie!.dataOffset - movie!.offset).toBe(extra + 20)

    // The entry after it fits in size but starts past 4 GiB: only its central record needs ZIP64.
    expect(after!.zip64Sizes).toBe(false)
    expect(after!.zip64Central).toBe(true)
    expect(after!.offset).toBeGreaterThan(0xffffffff)
    const central = view(centralRecord(layout, after!))
    expect(central.getUint32(42, true)).toBe(0xffffffff)
    const cExtra = 46 + 'b.txt'.length
    expect(central.getUint16(cExtra + 2, true)).toBe(24)
    expect(central.getBigUint64(cExtra + 4, true)).toBe(20n)
    expect(central.getBigUint64(cExtra + 20, true)).toBe(BigInt(after!.offset))
  })

  it('ends with a ZIP64 end record and a locator pointing at it, the classic fields saturated', () => {
    const layout = layoutZip(big, modified)
    expect(layout.zip64End).toBe(true)
    expect(layout.centralOffset).toBeGreaterThan(0xffffffff)
    const end = view(endRecords(layout))
    expect(end.byteLength).toBe(56 + 20 + 22)
    expect(end.getUint32(0, true)).toBe(0x06064b50)
    expect(end.getBigUint64(4, true)).toBe(44n)
    expect(end.getBigUint64(24, true)).toBe(3n)
    expect(end.getBigUint64(32, true)).toBe(3n)
    expect(end.getBigUint64(40, true)).toBe(BigInt(layout.centralLength))
    expect(end.getBigUint64(48, true)).toBe(BigInt(layout.centralOffset))
    expect(end.getUint32(56, true)).toBe(0x07064b50)
    expect(end.getBigUint64(64, true)).toBe(BigInt(layout.endOffset))
    expect(end.getUint32(72, true)).toBe(1)
    expect(end.getUint32(76, true)).toBe(0x06054b50)
    expect(end.getUint16(84, true)).toBe(0xffff)
    expect(end.getUint32(88, true)).toBe(0xffffffff)
    expect(end.getUint32(92, true)).toBe(0xffffffff)
    expect(layout.size).toBe(layout.endOffset + 98)
  })

  it('reads a range deep inside a 5 GiB entry as a ranged read of its object', () => {
    const layout = layoutZip(big, modified)
    const movie = layout.entries[1]!
    const at = movie.dataOffset + 4 * GiB
    expect([...piecesOf(layout, at, at + 100)]).toEqual([
      { kind: 'object', key: 'k/1', start: 4 * GiB, end: 4 * GiB + 100 },
    ])
  })

  it('makes an archive past 4 GiB that unzip and Python read (a sparse file of zeros)', () => {
    const size = 4 * GiB + 1024 ** 2
    const text = new TextEncoder().encode('after the big one')
    const layout = layoutZip(
      [
        { name: 'big/zeros.bin', size, crc32: 0, key: 'zeros' },
        { name: 'big/after.txt', size: text.length, crc32: crc32(text), key: 'text' },
      ],
      modified,
    )
    const path = join(dir, 'big.zip')
    const fd = openSync(path, 'w')
    try {
      ftruncateSync(fd, layout.size)
      let at = 0
      for (const piece of piecesOf(layout, 0, layout.size)) {
        const bytes = piece.kind === 'bytes' ? piece.bytes : piece.key === 'text' ? text : null
        if (bytes) writeSync(fd, bytes, 0, bytes.length, at)
        at += piece.kind === 'bytes' ? piece.bytes.length : piece.end - piece.start
      }
    } finally {
      closeSync(fd)
    }
    // Reading the entry that starts past 4 GiB needs its ZIP64 offset (the zeros are not read).
    expect(execFileSync('unzip', ['-l', path]).toString()).toMatch(
      /4296015872\s+2026-11-29 18:20\s+big\/zeros.bin/,
    )
    expect(execFileSync('unzip', ['-p', path, 'big/after.txt']).toString()).toBe(
      'after the big one',
    )
    const listed = execFileSync('python3', [
      '-c',
      `import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);print([(i.filename,i.file_size,i.header_offset) for i in z.infolist()]);print(z.read('big/after.txt').decode())`,
      path,
    ]).toString()
    expect(listed).toContain(`('big/zeros.bin', ${size}, 0)`)
    expect(listed).toContain(`('big/after.txt', ${text.length}, ${layout.entries[1]!.offset})`)
    expect(listed).toContain('after the big one')
  }, 120_000)

  it('switches to the ZIP64 end record at 65,535 entries', () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ name: `f${i}`, size: 1, crc32: 0, key: `k/${i}` }))
    expect(layoutZip(many(65_534), modified).zip64End).toBe(false)
    expect(layoutZip(many(65_535), modified).zip64End).toBe(true)
  })
})
