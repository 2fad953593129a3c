import { EventEmitter } from 'node:events'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import type { AgentJobRecord } from '@tseeder/shared'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { content, sha256 } from '@tseeder/testkit/fixtures'
import { grantFor } from '@tseeder/testkit/fake-api'
import { startS3, type S3 } from '@tseeder/testkit/s3'
import { tempDir } from '@tseeder/testkit/wait'
import type { ApiClient } from './api-client.ts'
import type { EngineTorrent } from './engine/torrent-engine.ts'
import { crc32 } from './crc32.ts'
import { JobStateStore } from './job-state.ts'
import { createLogger } from './log.ts'
import { createMetrics } from './metrics.ts'
import { PartSlots } from './multipart.ts'
import { uploadAll, type UploadingJob, type UploadPipelineOptions } from './upload-pipeline.ts'
import { GrantSource, createS3Client } from './upload.ts'

/** A torrent whose files are already on disk: every range is ready unless told otherwise. */
class DiskTorrent extends EventEmitter implements EngineTorrent {
  readonly metadata = null
  done = true
  constructor(
    readonly jobId: string,
    private readonly dir: string,
  ) {
    super()
  }
  select() {}
  fileDone() {
    return this.done
  }
  progress(): never {
    throw new Error('uploads do not read download progress')
  }
  peersWithPieces() {
    return 0
  }
  rangeReady() {
    return this.done
  }
  filePath(index: number) {
    return join(this.dir, 'files', String(index))
  }
}

let s3: S3
let dataDir: string
let state: JobStateStore
let run = 0

beforeAll(async () => {
  s3 = await startS3()
  dataDir = await tempDir('pipeline')
  state = new JobStateStore(dataDir)
  await state.init()
})

afterAll(async () => {
  await s3?.close()
  await rm(dataDir, { recursive: true, force: true })
})

function options(streamUpload: boolean): UploadPipelineOptions {
  return {
    streamUpload,
    slots: new PartSlots(4),
    state,
    log: createLogger('silent'),
    metrics: createMetrics(),
  }
}

/** A job of `files` (as [name, bytes]) written to a fresh job folder, on its own content prefix. */
async function job(files: [string, Buffer][], overrides: Partial<UploadingJob> = {}) {
  const jobId = `job-pipeline-${++run}`
  const infohash = sha256(Buffer.from(jobId)).slice(0, 40)
  const dir = join(dataDir, 'jobs', jobId)
  await mkdir(join(dir, 'files'), { recursive: true })
  for (const [i, [, data]] of files.entries()) await writeFile(join(dir, 'files', String(i)), data)
  const grant = grantFor(s3.endpoint, infohash)
  const record = {
    start: {
      jobId,
      attempt: 1,
      infohash,
      magnet: `magnet:?xt=urn:btih:${infohash}`,
      limits: { maxFileBytes: null, remainingStorageBytes: null },
      storage: grant,
    },
    status: 'downloading',
    seq: 0,
    files: files.map(([path, data], index) => ({ index, path, size: data.length })),
    name: 'set',
    selected: files.map((_, i) => i),
    uploaded: {},
    error: null,
    updatedAt: new Date().toISOString(),
  } satisfies AgentJobRecord as AgentJobRecord
  const grants = new GrantSource(grant, jobId, {} as ApiClient)
  const failures: [string, string, boolean][] = []
  const uploading: UploadingJob = {
    record,
    torrent: new DiskTorrent(jobId, dir),
    grants,
    s3: createS3Client(grants),
    signal: new AbortController().signal,
    uploadedBytes: new Map(),
    isCurrent: () => true,
    async fail(code, message, retryable) {
      failures.push([code, message, retryable])
      record.status = 'failed'
    },
    ...overrides,
  }
  const key = (i: number) => `${grant.prefix}${i}`
  return { job: uploading, record, dir, failures, key }
}

const files: [string, Buffer][] = [
  ['set/cover.jpg', content(300_000)],
  ['set/empty.txt', Buffer.alloc(0)],
  ['set/track.mp3', content(9 * 1024 * 1024)],
]

describe('uploadAll', () => {
  beforeEach(() => s3.created.clear())

  for (const streamUpload of [true, false]) {
    it(`stores every file with its type, records it and deletes its local copy (${streamUpload ? 'while downloading' : 'after the download'})`, async () => {
      const { job: uploading, record, dir, failures, key } = await job(files)
      expect(await uploadAll(uploading, options(streamUpload), [0, 1, 2])).toBe(true)
      expect(failures).toEqual([])
      for (const [i, [, data]] of files.entries()) {
        expect(await s3.objectSha256(key(i))).toBe(sha256(data))
        expect(uploading.uploadedBytes.get(i)).toBe(data.length)
      }
      expect(await s3.objectType(key(2))).toBe('audio/mpeg')
      expect(record.uploaded[0]).toEqual({
        index: 0,
        key: key(0),
        size: 300_000,
        mimeType: 'image/jpeg',
        crc32: crc32(files[0]![1]),
      })
      for (const [i, [, data]] of files.entries())
        expect(record.uploaded[i]!.crc32).toBe(crc32(data))
      expect(Object.keys(record.uploaded)).toEqual(['0', '1', '2'])
      expect(await readdir(join(dir, 'files'))).toEqual([])
      const [saved] = (await state.loadAll()).filter((r) => r.start.jobId === record.start.jobId)
      expect(Object.keys(saved!.uploaded)).toEqual(['0', '1', '2'])
    })
  }

  it('does not upload a file again that storage already holds with its size', async () => {
    const first = await job(files.slice(0, 1))
    await uploadAll(first.job, options(true), [0])
    const again = await job(files.slice(0, 1), { grants: first.job.grants, s3: first.job.s3 })
    expect(await uploadAll(again.job, options(true), [0])).toBe(true)
    expect(s3.created.get(first.key(0))).toBe(1)
    expect(again.record.uploaded[0]!.key).toBe(first.key(0))
    // Its CRC comes from the local copy still on disk.
    expect(again.record.uploaded[0]!.crc32).toBe(crc32(files[0]![1]))
  })

  it('waits for the whole torrent before uploading when uploads do not stream', async () => {
    const { job: uploading, key } = await job(files.slice(0, 1))
    const torrent = uploading.torrent as DiskTorrent
    torrent.done = false
    const stored = uploadAll(uploading, options(false), [0])
    await vi.waitFor(() => expect(torrent.listenerCount('done')).toBe(1))
    expect(s3.created.get(key(0))).toBeUndefined()
    torrent.done = true
    torrent.emit('done')
    expect(await stored).toBe(true)
    expect(s3.created.get(key(0))).toBe(1)
  })

  it('tries a failing upload three times, then fails the job as retryable upload_failed', async () => {
    let puts = 0
    const broken = {
      async send(command: object) {
        if (command.constructor.name === 'PutObjectCommand') puts++
        throw new Error('storage unreachable')
      },
    } as unknown as S3Client
    const { job: uploading, record, failures } = await job(files.slice(0, 1), { s3: broken })
    expect(await uploadAll(uploading, options(true), [0])).toBe(false)
    expect(puts).toBe(3)
    expect(failures).toEqual([['upload_failed', 'The files could not be stored.', true]])
    expect(record.uploaded).toEqual({})
  })

  it('stops without a word when its run is replaced', async () => {
    const {
      job: uploading,
      record,
      failures,
      key,
    } = await job(files.slice(0, 2), {
      isCurrent: () => false,
    })
    expect(await uploadAll(uploading, options(true), [0, 1])).toBe(false)
    expect(s3.created.get(key(0))).toBeUndefined()
    expect(failures).toEqual([])
    expect(record.uploaded).toEqual({})
  })
})
