import { randomBytes } from 'node:crypto'
import Wire from 'bittorrent-protocol'
import { describe, expect, it } from 'vitest'
import { cutMessagesWithoutCopies } from './wire-buffer.ts'

const BLOCK = 16 * 1024

function handshake(): Buffer {
  return Buffer.concat([
    Buffer.from([19]),
    Buffer.from('BitTorrent protocol'),
    Buffer.alloc(8),
    randomBytes(20),
    randomBytes(20),
  ])
}

/** A `piece` message: length, id 7, index, begin, block. */
function pieceMessage(index: number, begin: number, block: Buffer): Buffer {
  const head = Buffer.alloc(13)
  head.writeUInt32BE(9 + block.length, 0)
  head[4] = 7
  head.writeUInt32BE(index, 5)
  head.writeUInt32BE(begin, 9)
  return Buffer.concat([head, block])
}

/** Feeds `reads` to a fresh wire and collects the blocks of the piece messages it parses. */
async function receive(reads: Buffer[]) {
  const wire = new Wire()
  const blocks: { begin: number; block: Uint8Array }[] = []
  wire.on('piece', (_index: number, begin: number, block: Uint8Array) =>
    blocks.push({ begin, block }),
  )
  for (const read of reads) {
    wire.write(read)
    // streamx hands each write to the wire on a later tick, one at a time.
    await new Promise((resolve) => setImmediate(resolve))
  }
  wire.destroy()
  return blocks
}

describe('cutMessagesWithoutCopies', () => {
  it('parses messages split anywhere across reads, and a block within one read is a view of it', async () => {
    cutMessagesWithoutCopies()
    const blocks = Array.from({ length: 12 }, () => randomBytes(BLOCK))
    const stream = Buffer.concat([
      handshake(),
      ...blocks.map((b, i) => pieceMessage(0, i * BLOCK, b)),
    ])
    // Reads as a socket delivers them: 64 KiB, which no message boundary lines up with, and a
    // few tiny ones that split a length prefix and a header.
    const cuts = [1, 3, 70, 65_536, 65_538, 65_540, 131_100, stream.length]
    const reads = cuts.map((end, i) => Buffer.from(stream.subarray(cuts[i - 1] ?? 0, end)))

    const got = await receive(reads)

    expect(got.map((g) => g.begin)).toEqual(blocks.map((_, i) => i * BLOCK))
    for (const [i, { block }] of got.entries())
      expect(Buffer.from(block).equals(blocks[i]!)).toBe(true)
    // Blocks 4 and 5 lie whole inside the read that starts at 65,540: no copy of them was made.
    const big = reads[6]!
    for (const { block } of got.slice(4, 6)) expect(block.buffer).toBe(big.buffer)
  })
})
