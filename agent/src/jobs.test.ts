import { EventEmitter } from 'node:events'
import { readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import type { AgentCallback, AgentJobRecord, AgentStartBody } from '@tseeder/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { grantFor } from '@tseeder/testkit/fake-api'
import { tempDir } from '@tseeder/testkit/wait'
import type { ApiClient } from './api-client.ts'
import type { EngineTorrent, TorrentEngine, TorrentSource } from './engine/torrent-engine.ts'
import { JobStateStore } from './job-state.ts'
import { JobError, JobManager } from './jobs.ts'
import { createLogger } from './log.ts'
import { createMetrics } from './metrics.ts'
import type { Reporter } from './reporter.ts'

/** An engine whose torrents never find a peer: the registry's work is all that happens. */
class QuietEngine implements TorrentEngine {
  readonly added: string[] = []
  readonly removed: [string, boolean][] = []
  destroyed = false
  add(jobId: string, _source: TorrentSource): EngineTorrent {
    this.added.push(jobId)
    return Object.assign(new EventEmitter(), { jobId, metadata: null }) as unknown as EngineTorrent
  }
  async remove(jobId: string, { removeData }: { removeData: boolean }) {
    this.removed.push([jobId, removeData])
  }
  async destroy() {
    this.destroyed = true
  }
}

const DAY_MS = 24 * 60 * 60_000
let dataDir: string
let state: JobStateStore
let engines: QuietEngine[]
let callbacks: AgentCallback[]
let logs: string
let manager: JobManager

function body(jobId: string, attempt = 1): AgentStartBody {
  const infohash = 'e'.repeat(40)
  return {
    jobId,
    attempt,
    infohash,
    magnet: `magnet:?xt=urn:btih:${infohash}`,
    limits: { maxFileBytes: null, remainingStorageBytes: null },
    storage: grantFor('http://127.0.0.1:9', infohash),
  }
}

function manage(maxJobs = 2, metadataTimeoutMs = 600_000): JobManager {
  const log = new PassThrough()
  log.on('data', (chunk: Buffer) => (logs += chunk.toString()))
  return new JobManager({
    dataDir,
    maxJobs,
    idleCapacity: 32,
    parkAfterMs: 600_000,
    diskReserveBytes: 0,
    metadataTimeoutMs,
    stallTimeoutMs: 600_000,
    progressIntervalMs: 600_000,
    streamUpload: true,
    privateNetworks: true,
    engineFactory: () => {
      const engine = new QuietEngine()
      engines.push(engine)
      return engine
    },
    state,
    reporter: {
      enqueue: async (c: AgentCallback) => void callbacks.push(c),
      hasPending: () => false,
    } as unknown as Reporter,
    api: {} as ApiClient,
    log: createLogger('info', log),
    metrics: createMetrics(),
  })
}

async function expectJobError(promise: Promise<unknown>, status: number, code: string) {
  const error = await promise.catch((e: unknown) => e)
  expect(error).toBeInstanceOf(JobError)
  expect(error).toMatchObject({ status, code })
}

beforeEach(async () => {
  dataDir = await tempDir('registry')
  state = new JobStateStore(dataDir)
  await state.init()
  engines = []
  callbacks = []
  logs = ''
})

afterEach(async () => {
  await manager?.shutdown()
  // A run halted right after its start may still create its job folder while this removes it.
  await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 })
})

describe('JobManager', () => {
  it('accepts a job, adds its torrent and lists it as fetching metadata', async () => {
    manager = manage()
    expect(await manager.start(body('job-a'))).toEqual({
      jobId: 'job-a',
      infohash: 'e'.repeat(40),
      status: 'metadata_fetch',
      progressPct: 0,
    })
    await expect.poll(() => engines[0]!.added).toEqual(['job-a'])
    expect(manager.list().map((j) => j.jobId)).toEqual(['job-a'])
    expect(manager.files('job-a')).toEqual([])
    expect(manager.activeCount).toBe(1)
    expect((await state.loadAll())[0]).toMatchObject({ status: 'metadata_fetch', seq: 0 })
  })

  it('answers a repeated start of the same attempt with the job as it is, once', async () => {
    manager = manage()
    await manager.start(body('job-a'))
    expect((await manager.start(body('job-a'))).status).toBe('metadata_fetch')
    await expect.poll(() => engines[0]!.added).toEqual(['job-a'])
  })

  it('refuses another attempt of a running job, and an older attempt of any job', async () => {
    manager = manage()
    await manager.start(body('job-a', 2))
    await expectJobError(manager.start(body('job-a', 3)), 409, 'conflict')
    await manager.pause('job-a')
    await expectJobError(manager.start(body('job-a', 1)), 409, 'conflict')
  })

  it('replaces a paused job when a newer attempt starts', async () => {
    manager = manage()
    await manager.start(body('job-a', 1))
    await manager.pause('job-a')
    expect(await manager.start(body('job-a', 2))).toMatchObject({ status: 'metadata_fetch' })
    expect(engines[0]!.removed).toContainEqual(['job-a', true])
    expect((await state.loadAll())[0]!.start.attempt).toBe(2)
  })

  it('refuses an unsafe job id, a magnet of another infohash, and work beyond its slots', async () => {
    manager = manage(1)
    await expectJobError(manager.start(body('../a')), 400, 'bad_request')
    await expectJobError(
      manager.start({ ...body('job-b'), infohash: 'f'.repeat(40) }),
      400,
      'bad_request',
    )
    await manager.start(body('job-a'))
    await expectJobError(manager.start(body('job-b')), 503, 'at_capacity')
  })

  it('refuses a broken .torrent or magnet with the parser\u2019s words, never a library message', async () => {
    manager = manage(1)
    const odd = {
      ...body('job-t'),
      magnet: undefined,
      torrentBase64: 'BwcHBwcHBwcHBwcHBwcHBwcHBwc=',
    }
    const error = await manager.start(odd).catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 400, code: 'invalid_torrent' })
    expect((error as Error).message).toMatch(/not a valid \.torrent file/)
    expect((error as Error).message).not.toMatch(/undefined|Cannot read|TypeError/)
    await expectJobError(
      manager.start({ ...body('job-m'), magnet: 'magnet:?xt=urn:btih:1' }),
      400,
      'invalid_magnet',
    )
  })

  it('pauses a job keeping its bytes, and resumes it only while a slot is free', async () => {
    manager = manage(1)
    await manager.start(body('job-a'))
    await expect.poll(() => engines[0]!.added).toEqual(['job-a'])
    expect(await manager.pause('job-a')).toMatchObject({ status: 'paused' })
    expect(engines[0]!.removed).toEqual([['job-a', false]])
    expect(manager.activeCount).toBe(0)
    await manager.start(body('job-b'))
    await expect.poll(() => engines[0]!.added).toEqual(['job-a', 'job-b'])
    await expectJobError(manager.resume('job-a'), 503, 'at_capacity')
    await manager.stop('job-b', true)
    expect(await manager.resume('job-a')).toMatchObject({ status: 'metadata_fetch' })
    await expect.poll(() => engines[0]!.added).toEqual(['job-a', 'job-b', 'job-a'])
  })

  it('stops a job for good: its torrent, bytes and record are gone', async () => {
    manager = manage()
    await manager.start(body('job-a'))
    expect(await manager.stop('job-a', true)).toMatchObject({ jobId: 'job-a' })
    expect(engines[0]!.removed).toEqual([['job-a', true]])
    expect(manager.view('job-a')).toBeNull()
    expect(await readdir(state.dir)).toEqual([])
    await expectJobError(manager.pause('job-a'), 404, 'not_found')
  })

  it('takes a stop that keeps the data as a pause', async () => {
    manager = manage()
    await manager.start(body('job-a'))
    expect(await manager.stop('job-a', false)).toMatchObject({ status: 'paused' })
    expect(manager.view('job-a')).toMatchObject({ status: 'paused' })
  })

  it('resumes persisted running jobs, keeps paused and recently ended ones, and forgets the rest', async () => {
    const record = (jobId: string, status: AgentJobRecord['status'], age: number) => ({
      start: body(jobId),
      status,
      seq: 4,
      files: null,
      name: null,
      selected: null,
      uploaded: {},
      error: null,
      updatedAt: new Date(Date.now() - age).toISOString(),
    })
    const write = (r: ReturnType<typeof record>) =>
      writeFile(join(state.dir, `${r.start.jobId}.json`), JSON.stringify(r))
    await write(record('job-running', 'downloading', 2 * DAY_MS))
    await write(record('job-paused', 'paused', 2 * DAY_MS))
    await write(record('job-done', 'completed', 60_000))
    await write(record('job-old', 'failed', 2 * DAY_MS))
    await writeFile(join(state.dir, 'job-torn.json'), '{"start":')
    manager = manage()
    await manager.recover()
    expect(manager.list().map((j) => [j.jobId, j.status])).toEqual(
      expect.arrayContaining([
        ['job-running', 'downloading'],
        ['job-paused', 'paused'],
        ['job-done', 'completed'],
      ]),
    )
    expect(manager.list()).toHaveLength(3)
    expect(manager.view('job-done')!.progressPct).toBe(100)
    await expect.poll(() => engines[0]!.added).toEqual(['job-running'])
    expect((await readdir(state.dir)).sort()).toEqual([
      'job-done.json',
      'job-paused.json',
      'job-running.json',
      'job-torn.json',
    ])
    expect(logs).toContain('"file":"job-torn.json"')
    expect(logs).toContain('job record unreadable, not resumed')
  })

  it('keeps no storage credentials on disk for a job that failed', async () => {
    manager = manage(2, 50)
    await manager.start(body('job-a'))
    const onDisk = () => readFile(join(state.dir, 'job-a.json'), 'utf8')
    expect(await onDisk()).toContain('secretAccessKey')
    await expect.poll(() => manager.view('job-a')?.status).toBe('failed')
    await expect.poll(async () => JSON.parse(await onDisk()).status).toBe('failed')
    expect(await onDisk()).not.toContain('secretAccessKey')
    expect(JSON.parse(await onDisk()).start.storage).toBeUndefined()
  })

  it('keeps no storage credentials on disk for a completed job, also one written before, and still lists its files', async () => {
    const done = (jobId: string, status: AgentJobRecord['status']): AgentJobRecord => ({
      start: body(jobId),
      status,
      seq: 4,
      files: [{ index: 0, path: 'set/a.bin', size: 10 }],
      name: 'set',
      selected: [0],
      uploaded: { 0: { index: 0, key: `content/${'e'.repeat(40)}/0`, size: 10, mimeType: 'x/y' } },
      error: null,
      updatedAt: new Date().toISOString(),
    })
    // One completed by an older version (grant still on disk), one whose last upload had
    // finished when the agent stopped: recovery completes it.
    for (const r of [done('job-old', 'completed'), done('job-last', 'uploading')]) {
      await writeFile(join(state.dir, `${r.start.jobId}.json`), JSON.stringify(r), { mode: 0o644 })
    }
    manager = manage()
    await manager.recover()
    await expect.poll(() => manager.view('job-last')?.status).toBe('completed')
    for (const jobId of ['job-old', 'job-last']) {
      const path = join(state.dir, `${jobId}.json`)
      await expect
        .poll(async () => JSON.parse(await readFile(path, 'utf8')).status)
        .toBe('completed')
      expect(await readFile(path, 'utf8')).not.toContain('secretAccessKey')
      expect(manager.files(jobId)).toEqual([
        {
          index: 0,
          path: 'set/a.bin',
          size: 10,
          uploaded: true,
          key: `content/${'e'.repeat(40)}/0`,
        },
      ])
    }
    expect((await state.loadAll()).map((r) => r.start.storage)).toEqual([undefined, undefined])
  })

  it('replaces a broken engine and adds every running job to the new one', async () => {
    manager = manage()
    await manager.start(body('job-a'))
    const other = 'f'.repeat(40)
    await manager.start({
      ...body('job-b'),
      infohash: other,
      magnet: `magnet:?xt=urn:btih:${other}`,
    })
    await manager.pause('job-b')
    await manager.restartEngine('test')
    expect(engines).toHaveLength(2)
    expect(engines[0]!.destroyed).toBe(true)
    await expect.poll(() => engines[1]!.added).toEqual(['job-a'])
    expect(manager.view('job-a')).toMatchObject({ status: 'metadata_fetch' })
  })

  it('refuses new jobs once shutting down, keeping every record', async () => {
    manager = manage()
    await manager.start(body('job-a'))
    await manager.shutdown()
    expect(engines[0]!.destroyed).toBe(true)
    await expectJobError(manager.start(body('job-b')), 503, 'service_unavailable')
    expect(await readdir(state.dir)).toEqual(['job-a.json'])
    expect(callbacks).toEqual([])
  })
})
