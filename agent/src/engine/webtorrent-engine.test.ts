import { describe, expect, it } from 'vitest'
import type { Torrent } from 'webtorrent'
import { downloadedBytes, metadataOf } from './webtorrent-engine.ts'

/** The parts of a webtorrent Torrent that progress reads: files, piece bitfield, pieces in flight. */
function torrent(
  pieceLength: number,
  fileLengths: number[],
  verified: number[],
  missing: Record<number, number> = {},
): Torrent {
  const length = fileLengths.reduce((a, b) => a + b, 0)
  let offset = 0
  const files = fileLengths.map((l) => {
    const file = { length: l, offset }
    offset += l
    return file
  })
  const count = Math.ceil(length / pieceLength)
  const pieces = Array.from({ length: count }, (_, i) =>
    verified.includes(i) ? null : { missing: missing[i] ?? pieceLength },
  )
  return {
    pieceLength,
    length,
    files,
    pieces,
    bitfield: { get: (i: number) => verified.includes(i) },
  } as unknown as Torrent
}

describe('downloadedBytes', () => {
  it('counts a file that ends on a piece boundary in full (webtorrent drops its last piece)', () => {
    const t = torrent(16, [64], [0, 1, 2, 3])
    expect(downloadedBytes(t, 0)).toBe(64)
  })

  it('counts only each file’s share of the pieces it shares with its neighbours', () => {
    // Pieces of 16: file 0 is bytes 0–19, file 1 bytes 20–49 (pieces 1–3, the last one short).
    const t = torrent(16, [20, 30], [1, 3])
    expect(downloadedBytes(t, 0)).toBe(4) // piece 1 holds its bytes 16–19
    expect(downloadedBytes(t, 1)).toBe(12 + 2) // the rest of piece 1, and the 2-byte last piece
  })

  it('adds what has arrived of pieces still in flight', () => {
    const t = torrent(16, [48], [0], { 1: 6 })
    expect(downloadedBytes(t, 0)).toBe(16 + 10)
  })

  it('is 0 for empty files and before metadata', () => {
    expect(downloadedBytes(torrent(16, [0, 16], [0]), 0)).toBe(0)
    expect(downloadedBytes({ files: [] } as unknown as Torrent, 0)).toBe(0)
  })
})

describe('metadataOf', () => {
  const utf8 = (s: string) => new TextEncoder().encode(s)

  it('leaves BEP 47 padding files out and keeps each real file’s torrent index', () => {
    const files = [
      { length: 5, path: [utf8('a b.txt')] },
      { length: 16379, path: [utf8('.pad'), utf8('16379')], attr: utf8('p') },
      { length: 0, path: [utf8('empty')] },
      { length: 20, path: [utf8('x.bin')], attr: utf8('x') },
      { length: 12, path: [utf8('.pad'), utf8('12')], attr: utf8('px') },
      { length: 7, path: [utf8('last')] },
    ]
    const t = { infoHash: 'a'.repeat(40), info: { name: utf8('set'), files } } as unknown as Torrent
    expect(metadataOf(t).files).toEqual([
      { index: 0, length: 5, segments: ['set', 'a b.txt'] },
      { index: 2, length: 0, segments: ['set', 'empty'] },
      { index: 3, length: 20, segments: ['set', 'x.bin'] },
      { index: 5, length: 7, segments: ['set', 'last'] },
    ])
  })
})
