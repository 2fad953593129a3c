import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import type { S3Client } from '@aws-sdk/client-s3'
import type { AgentJobRecord } from '@tseeder/shared'
import { mimeTypeOf } from '@tseeder/shared/mime'
import { fileWithIndex } from './metadata-gate.ts'
import type { EngineTorrent } from './engine/torrent-engine.ts'
import type { JobStateStore } from './job-state.ts'
import type { Logger } from './log.ts'
import type { Metrics } from './metrics.ts'
import { type PartSlots, uploadWhileDownloading } from './multipart.ts'
import { type GrantSource, alreadyUploaded, crc32OfFile, objectKey, uploadFile } from './upload.ts'

const FILES_IN_FLIGHT = 3
const UPLOAD_ATTEMPTS = 3

/** What the pipeline needs of the agent, shared by every job. */
export interface UploadPipelineOptions {
  /** Upload parts as pieces verify, rather than each file once the whole torrent is done. */
  streamUpload: boolean
  slots: PartSlots
  state: JobStateStore
  log: Logger
  metrics: Metrics
}

/** One run of a job, as its uploads see it. */
export interface UploadingJob {
  record: AgentJobRecord
  torrent: EngineTorrent
  grants: GrantSource
  s3: S3Client
  signal: AbortSignal
  /** Bytes stored so far of each file, for progress. */
  uploadedBytes: Map<number, number>
  /** False once this run was torn down or replaced: uploads then stop without a word. */
  isCurrent(): boolean
  fail(code: string, message: string, retryable: boolean): Promise<void>
}

/** Resolves at the next verified piece, after a second at most, or when uploads are aborted. */
function nextVerified(torrent: EngineTorrent, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      torrent.off('verified', done)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, 1000)
    torrent.once('verified', done)
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * Stores the `pending` files of a job, a few at a time, each recorded as stored (and its local
 * copy deleted) once its size is checked in storage. Resolves true when every file is stored and
 * the job may complete; false when the run was replaced or the job failed on the way.
 */
export async function uploadAll(
  job: UploadingJob,
  o: UploadPipelineOptions,
  pending: readonly number[],
): Promise<boolean> {
  const { torrent } = job
  if (!o.streamUpload && pending.some((i) => !torrent.fileDone(i))) {
    await new Promise<void>((resolve) => torrent.once('done', () => resolve()))
  }
  const queue = [...pending]
  const worker = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      if (!job.isCurrent()) return
      await uploadOne(job, o, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(FILES_IN_FLIGHT, queue.length) }, worker))
  return job.isCurrent() && job.record.status !== 'failed'
}

/** Stores one file, trying again twice after a pause; the third failure fails the job. */
async function uploadOne(job: UploadingJob, o: UploadPipelineOptions, index: number) {
  const { record, torrent } = job
  const jobId = record.start.jobId
  const file = fileWithIndex(record.files!, index)!
  const grant = job.grants.current
  const key = objectKey(grant, index)
  const mimeType = mimeTypeOf(file.path)
  let crc32: number | undefined
  if (await alreadyUploaded(job.s3, grant.bucket, key, file.size)) {
    o.log.info({ jobId, index }, 'file already in storage, not uploading again')
    // A run that stopped between storing and recording the file: its local copy is still there.
    crc32 = file.size === 0 ? 0 : await crc32OfFile(torrent.filePath(index))
  } else {
    for (let attempt = 1; ; attempt++) {
      if (!job.isCurrent()) return
      const started = process.hrtime.bigint()
      job.uploadedBytes.set(index, 0)
      try {
        if (o.streamUpload) {
          crc32 = await uploadWhileDownloading({
            s3: job.s3,
            bucket: grant.bucket,
            key,
            contentType: mimeType,
            path: torrent.filePath(index),
            size: file.size,
            slots: o.slots,
            ready: (start, end) => torrent.rangeReady(index, start, end),
            progressed: () => nextVerified(torrent, job.signal),
            signal: job.signal,
            onPartStored: (bytes) =>
              job.uploadedBytes.set(index, (job.uploadedBytes.get(index) ?? 0) + bytes),
          })
        } else {
          crc32 = await uploadFile({
            s3: job.s3,
            bucket: grant.bucket,
            key,
            body: file.size === 0 ? new Uint8Array() : createReadStream(torrent.filePath(index)),
            size: file.size,
            contentType: mimeType,
            signal: job.signal,
            onProgress: (loaded) => job.uploadedBytes.set(index, loaded),
          })
        }
        o.metrics.uploadSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9)
        o.metrics.bytesUploaded.inc(file.size)
        break
      } catch (error) {
        if (!job.isCurrent()) return
        o.log.warn({ jobId, index, attempt, err: (error as Error).message }, 'upload failed')
        if (attempt >= UPLOAD_ATTEMPTS) {
          await job.fail('upload_failed', 'The files could not be stored.', true)
          return
        }
        await new Promise((resolve) => setTimeout(resolve, 1000 * attempt))
      }
    }
  }
  if (!job.isCurrent()) return
  record.uploaded[index] = { index, key, size: file.size, mimeType, crc32 }
  job.uploadedBytes.set(index, file.size)
  await o.state.save(record)
  // The bytes are safe in storage; the local copy only costs disk from here on.
  await rm(torrent.filePath(index), { force: true })
}
