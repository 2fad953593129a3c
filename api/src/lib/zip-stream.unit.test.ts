import { describe, expect, it } from 'vitest'
import { layoutZip, piecesOf } from './zip-layout.ts'
import { pumpZip, ZipStorageError, type ZipPumpOptions } from './zip-stream.ts'

const objects = new Map([
  ['k/0', new Uint8Array(3000).fill(1)],
  ['k/1', new Uint8Array(5000).fill(2)],
])
const layout = layoutZip(
  [
    { name: 'a', size: 3000, crc32: 0, key: 'k/0' },
    { name: 'b', size: 5000, crc32: 0, key: 'k/1' },
  ],
  new Date('2026-01-01T00:00:00Z'),
)

/** A stream of the object's range in chunks of 700 bytes, like storage sends. */
function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(at, at + 700))
      at += 700
    },
  })
}

function options(overrides: Partial<ZipPumpOptions> = {}) {
  const charges: number[] = []
  const o: ZipPumpOptions = {
    layout,
    start: 0,
    end: layout.size,
    charged: 1000,
    step: 1000,
    readObject: async (key, start, end) => chunked(objects.get(key)!.subarray(start, end)),
    charge: async (bytes) => {
      charges.push(bytes)
      return true
    },
    ...overrides,
  }
  return { o, charges }
}

/** Runs the pump into a stream and reads it all, as a client would. */
async function readAll(o: ZipPumpOptions): Promise<Uint8Array> {
  const pipe = new TransformStream<Uint8Array, Uint8Array>()
  const pumped = pumpZip(o, pipe.writable)
  const [bytes] = await Promise.all([new Response(pipe.readable).arrayBuffer(), pumped])
  return new Uint8Array(bytes)
}

function expected(start: number, end: number): Uint8Array {
  const out: Uint8Array[] = []
  for (const p of piecesOf(layout, start, end))
    out.push(p.kind === 'bytes' ? p.bytes : objects.get(p.key)!.subarray(p.start, p.end))
  return new Uint8Array(Buffer.concat(out))
}

describe('pumpZip', () => {
  it('sends the archive and charges it in steps a little ahead of what went out', async () => {
    const { o, charges } = options()
    const bytes = await readAll(o)
    expect(bytes).toEqual(expected(0, layout.size))
    expect(1000 + charges.reduce((a, b) => a + b, 0)).toBe(layout.size)
    expect(Math.max(...charges)).toBeLessThanOrEqual(1000)
  })

  it('sends a range from the middle of an entry, reading storage from that offset in steps', async () => {
    const reads: [string, number, number][] = []
    const { o } = options({
      start: layout.entries[0]!.dataOffset + 10,
      end: layout.entries[1]!.dataOffset + 20,
      readObject: async (key, start, end) => {
        reads.push([key, start, end])
        return chunked(objects.get(key)!.subarray(start, end))
      },
    })
    expect(await readAll(o)).toEqual(expected(o.start, o.end))
    expect(reads).toEqual([
      ['k/0', 10, 1010],
      ['k/0', 1010, 2010],
      ['k/0', 2010, 3000],
      ['k/1', 0, 20],
    ])
  })

  it('cuts the stream when the quota refuses the next step', async () => {
    const { o } = options({ charge: async () => false })
    await expect(readAll(o)).rejects.toThrow(/bandwidth quota/)
  })

  it('cuts the stream when storage fails', async () => {
    const { o } = options({
      readObject: async () => {
        throw new ZipStorageError('storage answered 503')
      },
    })
    await expect(readAll(o)).rejects.toThrow(/storage answered 503/)
  })
})
