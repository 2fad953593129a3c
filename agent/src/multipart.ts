import { open } from 'node:fs/promises'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { crc32, crc32Combine } from './crc32.ts'
import { partSizeFor, verifyStoredSize } from './upload.ts'

/**
 * Counts parts in flight across every file of a job, so memory stays bounded (slots × part size),
 * and lends each part its buffer. A returned buffer is lent again to the next part: a fresh 8 MiB
 * buffer per part was a gigabyte of external memory per gigabyte uploaded, and V8 answers such
 * allocation with full collections (`--trace-gc` in the bench: 64 mark-compacts for 512 MiB).
 */
export class PartSlots {
  private waiting: (() => void)[] = []
  private readonly buffers: Buffer[] = []
  private readonly capacity: number
  constructor(private free: number) {
    this.capacity = free
  }

  /** Waits for a free slot and lends a buffer of `bytes` (its content is undefined). */
  async take(bytes = 0): Promise<Buffer> {
    if (this.free > 0) this.free--
    else await new Promise<void>((resolve) => this.waiting.push(resolve))
    const at = this.buffers.findIndex((b) => b.byteLength >= bytes)
    const buffer = at === -1 ? Buffer.allocUnsafeSlow(bytes) : this.buffers.splice(at, 1)[0]!
    return buffer.subarray(0, bytes)
  }

  /** Frees a slot; `buffer` (one that {@link take} lent) is lent again, so nothing may keep it. */
  give(buffer?: Buffer): void {
    if (buffer && buffer.buffer.byteLength > 0) {
      this.buffers.push(Buffer.from(buffer.buffer, 0, buffer.buffer.byteLength))
      // No more kept than there are slots: the smallest goes (its size was a small file's).
      if (this.buffers.length > this.capacity) {
        this.buffers.sort((a, b) => b.byteLength - a.byteLength).pop()
      }
    }
    const next = this.waiting.shift()
    if (next) next()
    else this.free++
  }
}

export interface PartUploadOptions {
  s3: S3Client
  bucket: string
  key: string
  contentType: string
  /** The file's bytes on disk (written by the engine as pieces are verified). */
  path: string
  size: number
  slots: PartSlots
  /** True once every byte of [start, end) is verified on disk. */
  ready: (start: number, end: number) => boolean
  /** Resolves when more of the file may be ready (a piece verified, or a short timeout). */
  progressed: () => Promise<void>
  signal: AbortSignal
  onPartStored?: (bytes: number) => void
}

/**
 * Uploads a file while it downloads: each multipart part is sent as soon as the pieces under it
 * are verified, in whatever order they arrive, so the download keeps its rarest-first order and
 * the upload ends shortly after the last piece. A HeadObject size check follows. Resolves to the
 * file's CRC-32, joined from each part's (parts are read in any order).
 */
export async function uploadWhileDownloading(o: PartUploadOptions): Promise<number> {
  const partSize = partSizeFor(o.size)
  const file = await open(o.path, 'r').catch(() => null)
  /** Fills `buffer` with the file's bytes from `start` on. */
  const read = async (buffer: Buffer, start: number) => {
    if (buffer.length > 0) {
      const handle = file ?? (await open(o.path, 'r'))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start)
      if (handle !== file) await handle.close()
      if (bytesRead !== buffer.length) throw new Error('short read from the job folder')
    }
    return buffer
  }
  const waitReady = async (start: number, end: number) => {
    while (!o.ready(start, end)) {
      o.signal.throwIfAborted()
      await o.progressed()
    }
    o.signal.throwIfAborted()
  }
  let crc = 0
  try {
    if (o.size <= partSize) {
      await waitReady(0, o.size)
      const body = await o.slots.take(o.size)
      try {
        await read(body, 0)
        crc = crc32(body)
        await o.s3.send(
          new PutObjectCommand({
            Bucket: o.bucket,
            Key: o.key,
            Body: body,
            ContentType: o.contentType,
            ContentLength: o.size,
          }),
          { abortSignal: o.signal },
        )
        o.onPartStored?.(o.size)
      } finally {
        o.slots.give(body)
      }
    } else {
      const partCrcs = await uploadParts(o, partSize, read, waitReady)
      partCrcs.forEach((partCrc, i) => {
        const length = Math.min(o.size, (i + 1) * partSize) - i * partSize
        crc = i === 0 ? partCrc : crc32Combine(crc, partCrc, length)
      })
    }
  } finally {
    await file?.close()
  }
  await verifyStoredSize(o.s3, o.bucket, o.key, o.size)
  return crc
}

async function uploadParts(
  o: PartUploadOptions,
  partSize: number,
  read: (buffer: Buffer, start: number) => Promise<Buffer>,
  waitReady: (start: number, end: number) => Promise<void>,
): Promise<number[]> {
  const { UploadId } = await o.s3.send(
    new CreateMultipartUploadCommand({ Bucket: o.bucket, Key: o.key, ContentType: o.contentType }),
    { abortSignal: o.signal },
  )
  const count = Math.ceil(o.size / partSize)
  const etags: string[] = new Array(count)
  const crcs: number[] = new Array(count)
  const remaining = new Set(Array.from({ length: count }, (_, i) => i))
  const inFlight = new Set<Promise<void>>()
  let failure: unknown = null

  const send = async (i: number, buffer: Buffer) => {
    const start = i * partSize
    const end = start + buffer.length
    try {
      const body = await read(buffer, start)
      crcs[i] = crc32(body)
      const { ETag } = await o.s3.send(
        new UploadPartCommand({
          Bucket: o.bucket,
          Key: o.key,
          UploadId,
          PartNumber: i + 1,
          Body: body,
          ContentLength: end - start,
        }),
        { abortSignal: o.signal },
      )
      etags[i] = ETag!
      o.onPartStored?.(end - start)
    } catch (error) {
      failure ??= error
    } finally {
      // Answered with an ETag, the server had read the whole body. Failed or aborted, a request
      // may still be sending from the buffer as it is lent again, but that request stores nothing.
      o.slots.give(buffer)
    }
  }

  try {
    while ((remaining.size > 0 || inFlight.size > 0) && !failure) {
      o.signal.throwIfAborted()
      const next = [...remaining].find((i) =>
        o.ready(i * partSize, Math.min(o.size, (i + 1) * partSize)),
      )
      if (next === undefined) {
        await Promise.race([o.progressed(), ...inFlight])
        continue
      }
      remaining.delete(next)
      const buffer = await o.slots.take(Math.min(o.size, (next + 1) * partSize) - next * partSize)
      const task = send(next, buffer).finally(() => inFlight.delete(task))
      inFlight.add(task)
    }
    await Promise.all(inFlight)
    if (failure) throw failure
    await waitReady(0, 0)
    await o.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: o.bucket,
        Key: o.key,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    )
    return crcs
  } catch (error) {
    await Promise.allSettled(inFlight)
    // Best effort: some servers (s3rver) do not implement it; a bucket lifecycle rule cleans up.
    await o.s3
      .send(new AbortMultipartUploadCommand({ Bucket: o.bucket, Key: o.key, UploadId }))
      .catch(() => {})
    throw error
  }
}
