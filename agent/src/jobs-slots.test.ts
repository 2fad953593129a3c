import { createHash } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import type { AgentCallback, AgentJobRecord, AgentStartBody } from '@tseeder/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { grantFor } from '@tseeder/testkit/fake-api'
import { tempDir } from '@tseeder/testkit/wait'
import type { ApiClient } from './api-client.ts'
import type {
  EngineMetadata,
  EngineProgress,
  EngineTorrent,
  TorrentEngine,
} from './engine/torrent-engine.ts'
import { JobStateStore } from './job-state.ts'
import { JobError, JobManager } from './jobs.ts'
import { createLogger } from './log.ts'
import { createMetrics } from './metrics.ts'
import type { Reporter } from './reporter.ts'

/** A torrent the test drives: metadata, verified bytes and peers with pieces arrive when told. */
class ScriptedTorrent extends EventEmitter {
  metadata: EngineMetadata | null = null
  readonly selections: number[][] = []
  bytesDone = 0
  /**
   * Verified bytes grow each time the agent looks (each tick): the job is seen moving however late
   * this machine's timers fire. (Bytes moved by a timer of the test's own lost that race under
   * load: a tick delayed past park-after ms, then run before the test's timer, parked the job.)
   */
  moving = false
  usefulPeers = 0
  constructor(readonly jobId: string) {
    super()
  }
  giveMetadata() {
    this.metadata = {
      infohash: 'e'.repeat(40),
      name: 'set',
      files: [{ index: 0, length: 1_000_000, segments: ['set', 'a.bin'] }],
      torrentFile: null,
    }
    this.emit('metadata', this.metadata)
  }
  get selected(): number[] | undefined {
    return this.selections.at(-1)
  }
  select(files: readonly number[]) {
    this.selections.push([...files])
  }
  fileDone() {
    return false
  }
  rangeReady() {
    return false
  }
  filePath(index: number) {
    return `/nonexistent/${index}`
  }
  progress(): EngineProgress {
    if (this.moving) this.bytesDone++
    const { bytesDone } = this
    return { bytesDone, received: bytesDone, downloadSpeed: 0, uploadSpeed: 0, peers: 0, seeds: 0 }
  }
  peersWithPieces() {
    return this.usefulPeers
  }
}

class ScriptedEngine implements TorrentEngine {
  readonly torrents = new Map<string, ScriptedTorrent>()
  add(jobId: string): EngineTorrent {
    const torrent = new ScriptedTorrent(jobId)
    this.torrents.set(jobId, torrent)
    return torrent as unknown as EngineTorrent
  }
  async remove(jobId: string) {
    this.torrents.delete(jobId)
  }
  async destroy() {}
}

const PARK_AFTER_MS = 150
const METADATA_TIMEOUT_MS = 60_000
const STALL_TIMEOUT_MS = 120_000
let dataDir: string
let state: JobStateStore
let engine: ScriptedEngine
let callbacks: AgentCallback[]
let freed: number
let manager: JobManager

function body(
  jobId: string,
  infohash = createHash('sha1').update(jobId).digest('hex'),
): AgentStartBody {
  return {
    jobId,
    attempt: 1,
    infohash,
    magnet: `magnet:?xt=urn:btih:${infohash}`,
    limits: { maxFileBytes: null, remainingStorageBytes: null },
    storage: grantFor('http://127.0.0.1:9', infohash),
  }
}

function manage(
  maxJobs: number,
  idleCapacity = 32,
  enqueue = async (c: AgentCallback) => void callbacks.push(c),
): JobManager {
  return new JobManager({
    dataDir,
    maxJobs,
    idleCapacity,
    parkAfterMs: PARK_AFTER_MS,
    onSlotFreed: () => freed++,
    diskReserveBytes: 0,
    metadataTimeoutMs: METADATA_TIMEOUT_MS,
    stallTimeoutMs: STALL_TIMEOUT_MS,
    progressIntervalMs: 20,
    // Uploads wait for the whole torrent, which never comes: no S3 is reached.
    streamUpload: false,
    privateNetworks: true,
    engineFactory: () => engine,
    state,
    reporter: {
      enqueue,
      hasPending: () => false,
    } as unknown as Reporter,
    api: {} as ApiClient,
    log: createLogger('warn', new PassThrough()),
    metrics: createMetrics(),
  })
}

const torrent = (jobId: string) => engine.torrents.get(jobId)!

/** Resolves once the job's torrent is in the engine (a run adds it after its first awaits). */
async function added(jobId: string) {
  await expect.poll(() => engine.torrents.has(jobId)).toBe(true)
}

type Progress = Extract<AgentCallback, { type: 'progress_update' }>
const progressOf = (jobId: string) =>
  callbacks.filter((c): c is Progress => c.jobId === jobId && c.type === 'progress_update')
const lastWaiting = (jobId: string) => progressOf(jobId).at(-1)?.waiting

async function parkedFor(jobId: string, reason: string) {
  await expect.poll(() => lastWaiting(jobId)?.reason, { timeout: 3000 }).toBe(reason)
}

async function refusal(promise: Promise<unknown>): Promise<JobError> {
  const error = await promise.catch((e: unknown) => e)
  expect(error).toBeInstanceOf(JobError)
  return error as JobError
}

beforeEach(async () => {
  dataDir = await tempDir('slots')
  state = new JobStateStore(dataDir)
  await state.init()
  engine = new ScriptedEngine()
  callbacks = []
  freed = 0
})

afterEach(async () => {
  await manager?.shutdown()
  await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 })
})

describe('transfer slots', () => {
  it('answers no room for content another of its jobs downloads, and takes it once that one is paused', async () => {
    manager = manage(4)
    const content = 'c'.repeat(40)
    await manager.start(body('first', content))
    const refused = await refusal(manager.start(body('second', content)))
    expect(refused).toMatchObject({ status: 503, code: 'at_capacity' })
    expect(refused.message).toBe('This agent is downloading the same content for job first.')
    await manager.pause('first')
    expect(await manager.start(body('second', content))).toMatchObject({
      status: 'metadata_fetch',
    })
    // Nor does a paused job of that content resume beside it (its bytes stay for later).
    expect(await refusal(manager.resume('first'))).toMatchObject({ status: 503 })
    expect(manager.view('first')).toMatchObject({ status: 'paused' })
  })

  it('parks a job with no metadata after park-after ms, so another job gets its slot', async () => {
    manager = manage(1)
    const started = Date.now()
    await manager.start(body('dead'))
    const refused = await refusal(manager.start(body('next')))
    expect(refused).toMatchObject({ status: 503, code: 'at_capacity' })
    expect(refused.message).toBe('The one transfer slot of this agent is busy.')

    await parkedFor('dead', 'metadata')
    expect(Date.now() - started).toBeGreaterThanOrEqual(PARK_AFTER_MS)
    const waiting = lastWaiting('dead')!
    expect(Date.parse(waiting.until!) - Date.parse(waiting.since)).toBe(METADATA_TIMEOUT_MS)
    expect(Date.parse(waiting.since)).toBeGreaterThanOrEqual(started - 5)
    expect(manager.load()).toEqual({
      capacity: 1,
      transfers: 0,
      parkedJobs: 1,
      idleCapacity: 32,
      activeJobs: 1,
    })
    expect(freed).toBeGreaterThanOrEqual(1)
    expect(await manager.start(body('next'))).toMatchObject({ status: 'metadata_fetch' })
    expect(manager.load()).toMatchObject({ transfers: 1, parkedJobs: 1, activeJobs: 2 })
  })

  it('refuses a new job once slots and idle room are all taken', async () => {
    manager = manage(1, 1)
    await manager.start(body('dead-1'))
    await parkedFor('dead-1', 'metadata')
    await manager.start(body('dead-2'))
    await parkedFor('dead-2', 'metadata')
    const refused = await refusal(manager.start(body('third')))
    expect(refused).toMatchObject({ status: 503, code: 'at_capacity' })
    expect(refused.message).toMatch(/holds as many torrents as it can/)
  })

  it('gives a parked job its slot back the moment its metadata arrives, selecting its files', async () => {
    manager = manage(1)
    await manager.start(body('late'))
    await parkedFor('late', 'metadata')
    torrent('late').moving = true
    torrent('late').giveMetadata()
    await expect.poll(() => torrent('late').selected).toEqual([0])
    await expect.poll(() => lastWaiting('late')).toBeNull()
    expect(manager.load()).toMatchObject({ transfers: 1, parkedJobs: 0 })
  })

  it('makes a job whose metadata arrives while every slot is busy wait for the next one, before any new job', async () => {
    manager = manage(1)
    await manager.start(body('late'))
    await parkedFor('late', 'metadata')
    await manager.start(body('busy'))
    await added('busy')
    // 'busy' moves bytes, so however slow this machine is it never parks and keeps its slot.
    torrent('busy').moving = true
    torrent('busy').giveMetadata()
    torrent('late').giveMetadata()
    await parkedFor('late', 'transfer_slot')
    expect(lastWaiting('late')!.until).toBeNull()
    expect(torrent('late').selections.flat()).toEqual([])
    await manager.stop('busy', true)
    await expect.poll(() => torrent('late').selected).toEqual([0])
    await expect.poll(() => lastWaiting('late')).toBeNull()
    expect(freed).toBe(1)
    expect((await refusal(manager.start(body('new')))).code).toBe('at_capacity')
  })

  it('parks a download whose bytes stopped for peers, and takes a slot back when a peer has pieces', async () => {
    manager = manage(1)
    await manager.start(body('slow'))
    await added('slow')
    torrent('slow').bytesDone = 10
    torrent('slow').giveMetadata()
    await expect.poll(() => torrent('slow').selected).toEqual([0])
    await parkedFor('slow', 'peers')
    expect(torrent('slow').selected).toEqual([])
    const waiting = lastWaiting('slow')!
    expect(Date.parse(waiting.until!) - Date.parse(waiting.since)).toBe(STALL_TIMEOUT_MS)
    expect(manager.load()).toMatchObject({ transfers: 0, parkedJobs: 1 })
    expect(manager.view('slow')).toMatchObject({ status: 'downloading' })

    torrent('slow').usefulPeers = 1
    torrent('slow').moving = true
    await expect.poll(() => torrent('slow').selected).toEqual([0])
    await expect.poll(() => lastWaiting('slow')).toBeNull()
    expect(manager.load()).toMatchObject({ transfers: 1, parkedJobs: 0 })
  })

  it('keeps a download whose bytes move in its slot', async () => {
    manager = manage(1)
    await manager.start(body('moving'))
    await added('moving')
    torrent('moving').moving = true
    torrent('moving').giveMetadata()
    await new Promise((resolve) => setTimeout(resolve, PARK_AFTER_MS * 3))
    expect(manager.load()).toMatchObject({ transfers: 1, parkedJobs: 0 })
    expect(progressOf('moving').length).toBeGreaterThan(0)
    expect(progressOf('moving').every((p) => p.waiting === null)).toBe(true)
  })

  it('frees the slot of a paused job, and resumes it only into a free slot', async () => {
    manager = manage(1)
    await manager.start(body('a'))
    await manager.pause('a')
    expect(freed).toBe(1)
    expect(manager.load()).toMatchObject({ transfers: 0, parkedJobs: 0, activeJobs: 0 })
    await manager.start(body('b'))
    expect((await refusal(manager.resume('a'))).code).toBe('at_capacity')
    await parkedFor('b', 'metadata')
    expect(await manager.resume('a')).toMatchObject({ status: 'metadata_fetch' })
    expect(manager.load()).toMatchObject({ transfers: 1, parkedJobs: 1 })
  })

  it('recovers more running jobs than slots: the rest are parked, none is dropped', async () => {
    const record = (jobId: string, files: boolean): AgentJobRecord => ({
      start: body(jobId),
      status: files ? 'downloading' : 'metadata_fetch',
      seq: 2,
      files: files ? [{ index: 0, path: 'set/a.bin', size: 100 }] : null,
      name: files ? 'set' : null,
      selected: files ? [0] : null,
      uploaded: {},
      error: null,
      updatedAt: new Date().toISOString(),
    })
    for (const r of [record('r-1', false), record('r-2', false), record('r-3', true)]) {
      await writeFile(join(state.dir, `${r.start.jobId}.json`), JSON.stringify(r))
    }
    manager = manage(1, 0)
    await manager.recover()
    expect(manager.load()).toEqual({
      capacity: 1,
      transfers: 1,
      parkedJobs: 2,
      idleCapacity: 0,
      activeJobs: 3,
    })
    await expect.poll(() => engine.torrents.size).toBe(3)
  })
  it('shuts down only once a report already on its way is in the outbox', async () => {
    let release: (() => void) | null = null
    manager = manage(1, 32, async (c) => {
      // The outbox takes its time with the first report: it is still being queued at shutdown.
      if (callbacks.length === 0 && !release) await new Promise<void>((r) => (release = r))
      callbacks.push(c)
    })
    await manager.start(body('job-a'))
    await expect.poll(() => release).not.toBeNull()
    const stopped = manager.shutdown()
    setTimeout(() => release!(), 50)
    await stopped
    // The report held up, and any the job handed out behind it, all queued before the agent stops.
    expect(callbacks.length).toBeGreaterThanOrEqual(1)
    expect(new Set(callbacks.map((c) => `${c.jobId} ${c.type}`))).toEqual(
      new Set(['job-a progress_update']),
    )
  })
})
