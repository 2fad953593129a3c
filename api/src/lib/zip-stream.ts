import { piecesOf, type ZipLayout, type ZipPiece } from './zip-layout.ts'

/** Literal header bytes next to each other are sent as one chunk up to this size. */
const COALESCE_BYTES = 64 * 1024

export class ZipQuotaError extends Error {
  override readonly name = 'ZipQuotaError'
}

export class ZipStorageError extends Error {
  override readonly name = 'ZipStorageError'
}

export interface ZipStreamOptions {
  layout: ZipLayout
  /** Bytes [start, end) of the archive. */
  start: number
  end: number
  /** The bytes [start, end) of a stored object; throws {@link ZipStorageError} when storage fails. */
  readObject(key: string, start: number, end: number): Promise<ReadableStream<Uint8Array>>
  /** Counts `bytes` more against the bandwidth quota; false when they do not fit. */
  charge(bytes: number): Promise<boolean>
  /** Bytes already counted before the stream starts. */
  charged: number
  /** Charges are made in steps of this many bytes (fewer writes), never past the range's end. */
  step: number
  /** Called once when the stream fails (storage, quota), before it errors. */
  onError?(error: unknown): void
}

/**
 * The bytes [start, end) of a ZIP archive, built as they are read: literal headers from the
 * layout, entries' bytes streamed from storage with a ranged read each. Nothing is produced
 * before the reader asks (no queue), so memory stays at one chunk, and bytes are charged to the
 * quota a step ahead of what was delivered: a dropped connection costs at most one step. A
 * storage object shorter or longer than its entry, a failing read or a refused charge errors the
 * stream (the client sees a cut connection and can resume with `Range`).
 */
export function streamZip(o: ZipStreamOptions): ReadableStream<Uint8Array> {
  const pieces = piecesOf(o.layout, o.start, o.end)
  const total = o.end - o.start
  let held: ZipPiece | null = null
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null
  let readerLeft = 0
  let delivered = 0
  let charged = o.charged

  const nextPiece = (): ZipPiece | null => {
    if (held) {
      const piece = held
      held = null
      return piece
    }
    const next = pieces.next()
    return next.done ? null : next.value
  }

  const pay = async (bytes: number) => {
    if (charged >= delivered + bytes) return
    const more = Math.min(total - charged, Math.max(o.step, delivered + bytes - charged))
    if (!(await o.charge(more))) {
      throw new ZipQuotaError('the monthly bandwidth quota ran out during the download')
    }
    charged += more
  }

  const send = async (
    controller: ReadableStreamDefaultController<Uint8Array>,
    chunk: Uint8Array,
  ) => {
    await pay(chunk.length)
    delivered += chunk.length
    controller.enqueue(chunk)
  }

  /** One chunk of literal bytes: this piece and any header pieces right after it. */
  const coalesce = (first: Uint8Array): Uint8Array => {
    const parts = [first]
    let length = first.length
    for (let piece = nextPiece(); piece; piece = nextPiece()) {
      if (piece.kind !== 'bytes' || length + piece.bytes.length > COALESCE_BYTES) {
        held = piece
        break
      }
      parts.push(piece.bytes)
      length += piece.bytes.length
    }
    if (parts.length === 1) return first
    const chunk = new Uint8Array(length)
    let at = 0
    for (const part of parts) {
      chunk.set(part, at)
      at += part.length
    }
    return chunk
  }

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            if (reader) {
              const { done, value } = await reader.read()
              if (done) {
                if (readerLeft !== 0) throw new ZipStorageError('a stored object ended early')
                reader = null
                continue
              }
              if (value.length > readerLeft)
                throw new ZipStorageError('a stored object is longer than its entry')
              readerLeft -= value.length
              if (value.length === 0) continue
              await send(controller, value)
              return
            }
            const piece = nextPiece()
            if (!piece) {
              controller.close()
              return
            }
            if (piece.kind === 'bytes') {
              await send(controller, coalesce(piece.bytes))
              return
            }
            reader = (await o.readObject(piece.key, piece.start, piece.end)).getReader()
            readerLeft = piece.end - piece.start
          }
        } catch (error) {
          void reader?.cancel().catch(() => {})
          reader = null
          o.onError?.(error)
          controller.error(error)
        }
      },
      async cancel(reason) {
        await reader?.cancel(reason).catch(() => {})
      },
    },
    { highWaterMark: 0 },
  )
}
