import { describe, expect, it } from 'vitest'
import type { Torrent } from 'webtorrent'
import { downloadedBytes } from './webtorrent-engine.ts'

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
