import { piecesOf, type ZipLayout, type ZipPiece } from './zip-layout.ts'

/** Literal header bytes next to each other are sent as one chunk up to this size. */
const COALESCE_BYTES = 64 * 1024

export class ZipQuotaError extends Error {
  override readonly name = 'ZipQuotaError'
}

export class ZipStorageError extends Error {
  override readonly name = 'ZipStorageError'
}

export interface ZipPumpOptions {
  layout: ZipLayout
  /** Bytes [start, end) of the archive. */
  start: number
  end: number
  /**
   * The bytes [start, end) of a stored object, exactly `end - start` of them; throws
   * {@link ZipStorageError} when storage fails or answers another length.
   */
  readObject(key: string, start: number, end: number): Promise<ReadableStream<Uint8Array>>
  /** Counts `bytes` more against the bandwidth quota; false when they do not fit. */
  charge(bytes: number): Promise<boolean>
  /** Bytes already counted before the pump starts. */
  charged: number
  /** Bytes are charged, and stored objects read, in steps of at most this many bytes. */
  step: number
}

/**
 * Writes bytes [start, end) of a ZIP archive into `sink` as it is read: literal headers from the
 * layout, each entry's bytes from storage in ranged reads of at most one step, each piped
 * straight into the sink (in workerd a pipe between a fetch body and a native stream moves no
 * bytes through JavaScript). Writes wait for the reader, so memory stays at one chunk; bytes are
 * charged to the quota before each step is sent, so a dropped connection costs at most one step.
 * A refused charge or a failing read aborts the sink (the client sees a cut connection and can
 * resume with `Range`); the returned promise then rejects with the cause.
 */
export async function pumpZip(o: ZipPumpOptions, sink: WritableStream<Uint8Array>): Promise<void> {
  const pieces = piecesOf(o.layout, o.start, o.end)
  let held: ZipPiece | null = null
  let sent = 0
  let charged = o.charged
  const total = o.end - o.start

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
    if (charged >= sent + bytes) return
    const more = Math.min(total - charged, Math.max(o.step, sent + bytes - charged))
    if (!(await o.charge(more))) {
      throw new ZipQuotaError('the monthly bandwidth quota ran out during the download')
    }
    charged += more
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

  let writer: WritableStreamDefaultWriter<Uint8Array> | null = sink.getWriter()
  try {
    for (let piece = nextPiece(); piece; piece = nextPiece()) {
      if (piece.kind === 'bytes') {
        const chunk = coalesce(piece.bytes)
        await pay(chunk.length)
        await writer!.write(chunk)
        sent += chunk.length
        continue
      }
      for (let from = piece.start; from < piece.end; from += o.step) {
        const to = Math.min(piece.end, from + o.step)
        await pay(to - from)
        const body = await o.readObject(piece.key, from, to)
        writer!.releaseLock()
        writer = null
        await body.pipeTo(sink, { preventClose: true })
        writer = sink.getWriter()
        sent += to - from
      }
    }
    await writer!.close()
  } catch (error) {
    await (writer ?? sink).abort(error).catch(() => {})
    throw error
  }
}
