// Transfer slots on a real swarm: a dead magnet gives its slot back, a parked torrent downloads
// nothing while it waits, and a stalled download takes a slot back when a seeder shows up again.
import { rm } from 'node:fs/promises'
import { type AgentCallback, AgentHeartbeat, type AgentStatus } from '@tseeder/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAgent, type RunningAgent } from '../src/agent.ts'
import { loadConfig } from '../src/config.ts'
import { createLogger } from '../src/log.ts'
import { buildTorrent, content, type TorrentFixture } from '@tseeder/testkit/fixtures'
import {
  agentEnv,
  callAgent,
  grantFor,
  startBody,
  startFakeApi,
  type FakeApi,
} from '@tseeder/testkit/fake-api'
import { startS3, type S3 } from '@tseeder/testkit/s3'
import { startSwarm, type Swarm } from '@tseeder/testkit/swarm'
import { tempDir, waitFor } from '@tseeder/testkit/wait'

const PARK_AFTER_MS = 1000
let swarm: Swarm
let s3: S3
let api: FakeApi
let dataDir: string
let agent: RunningAgent

type Progress = Extract<AgentCallback, { type: 'progress_update' }>

function waitingReport(jobId: string, reason: string | null) {
  return waitFor(
    () =>
      api
        .of(jobId)
        .find(
          (c): c is Progress =>
            c.type === 'progress_update' && (c.waiting?.reason ?? null) === reason,
        ),
    20_000,
    `${jobId} to report waiting ${reason}`,
  )
}

function final(jobId: string) {
  return waitFor(
    () => api.of(jobId).find((c) => c.type === 'completed' || c.type === 'failed'),
    30_000,
    `job ${jobId} to finish`,
  )
}

async function status(): Promise<AgentStatus> {
  return (await callAgent(agent.url, 'GET', '/status')).body as AgentStatus
}

function fixture(name: string, bytes: number): TorrentFixture {
  return buildTorrent({
    name,
    announce: swarm.announce,
    singleFile: true,
    files: [{ segments: [name], data: content(bytes) }],
  })
}

beforeAll(async () => {
  swarm = await startSwarm()
  s3 = await startS3()
  api = await startFakeApi(() => grantFor(s3.endpoint, '0'.repeat(40)))
  dataDir = await tempDir('agent-slots')
  const env = agentEnv(api.url, dataDir, {
    AGENT_MAX_JOBS: '1',
    AGENT_IDLE_CAPACITY: '4',
    AGENT_PARK_AFTER_MS: String(PARK_AFTER_MS),
    // Only a freed slot can make a heartbeat arrive within the tests' waits.
    AGENT_HEARTBEAT_INTERVAL_MS: '600000',
  })
  agent = await startAgent(loadConfig(env), createLogger('warn'))
})

afterAll(async () => {
  await agent?.close(1000)
  await swarm?.close()
  await s3?.close()
  await api?.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('transfer slots on a real swarm', () => {
  it('parks a dead magnet after park-after ms, so a healthy job runs on the one slot', async () => {
    const infohash = 'ab'.repeat(20)
    const dead = 'job-dead'
    const started = Date.now()
    const res = await callAgent(agent.url, 'POST', '/start', {
      jobId: dead,
      attempt: 1,
      infohash,
      magnet: `magnet:?xt=urn:btih:${infohash}&tr=${encodeURIComponent(swarm.announce)}`,
      limits: { maxFileBytes: null, remainingStorageBytes: null },
      storage: grantFor(s3.endpoint, infohash),
    })
    expect(res.status).toBe(200)
    const healthy = fixture('healthy.bin', 1024 * 1024)
    await swarm.seed(healthy)
    const body = startBody(healthy, s3.endpoint, { jobId: 'job-healthy' })
    const full = await callAgent(agent.url, 'POST', '/start', body)
    expect(full).toMatchObject({
      status: 503,
      body: {
        error: { code: 'at_capacity', message: 'The one transfer slot of this agent is busy.' },
      },
    })

    const parked = await waitingReport(dead, 'metadata')
    expect(Date.now() - started).toBeGreaterThanOrEqual(PARK_AFTER_MS)
    expect(parked.phase).toBe('metadata_fetch')
    const beat = await waitFor(
      () =>
        api.heartbeats
          .map((h) => AgentHeartbeat.parse(h))
          .find((h) => h.parkedJobs === 1 && h.transfers === 0),
      5000,
      'a heartbeat telling the freed slot',
    )
    expect(beat).toMatchObject({ capacity: 1, idleCapacity: 4, activeJobs: 1 })

    expect((await callAgent(agent.url, 'POST', '/start', body)).status).toBe(200)
    expect(await final('job-healthy')).toMatchObject({ type: 'completed' })
    expect(await status()).toMatchObject({
      capacity: 1,
      transfers: 0,
      parkedJobs: 1,
      idleCapacity: 4,
      activeJobs: 1,
    })
    expect(api.of(dead).some((c) => c.type === 'failed')).toBe(false)
    await callAgent(agent.url, 'POST', '/stop', { jobId: dead, removeData: true })
  })

  it('downloads nothing while a parked torrent waits for a slot, then completes it', async () => {
    // `late` is parked for metadata (nobody seeds it yet), `busy` takes the slot, then `late`'s
    // seeder appears: it has metadata and a peer, but must wait for the slot.
    const late = fixture('late.bin', 512 * 1024)
    const busy = fixture('busy.bin', 2 * 1024 * 1024)
    await callAgent(
      agent.url,
      'POST',
      '/start',
      startBody(late, s3.endpoint, { jobId: 'job-late' }),
    )
    await waitingReport('job-late', 'metadata')
    await swarm.seed(busy)
    swarm.throttle(256 * 1024)
    try {
      const busyStart = startBody(busy, s3.endpoint, { jobId: 'job-busy' })
      expect((await callAgent(agent.url, 'POST', '/start', busyStart)).status).toBe(200)
      const lateSeeder = swarm.seeder()
      const seeded = await lateSeeder.seed(late)
      const waiting = await waitingReport('job-late', 'transfer_slot')
      expect(waiting.waiting!.until).toBeNull()
      await waitFor(
        () =>
          api
            .of('job-late')
            .some(
              (c) =>
                c.type === 'progress_update' &&
                c.waiting?.reason === 'transfer_slot' &&
                c.peers > 0,
            ),
        10_000,
        'the parked torrent to be connected to its seeder',
      )
      const sentWhileParked = seeded.uploaded
      await new Promise((resolve) => setTimeout(resolve, 2000))
      expect(api.of('job-busy').some((c) => c.type === 'completed')).toBe(false)
      // The metadata (about 1 KiB) may go out; not a single 64 KiB piece.
      expect(seeded.uploaded).toBeLessThan(64 * 1024)
      expect(seeded.uploaded - sentWhileParked).toBe(0)
    } finally {
      swarm.throttle(-1)
    }
    expect(await final('job-busy')).toMatchObject({ type: 'completed' })
    await waitingReport('job-late', null)
    expect(await final('job-late')).toMatchObject({ type: 'completed' })
  })

  it('parks a download whose seeder left, and takes a slot back when a seeder returns', async () => {
    const gone = fixture('gone.bin', 4 * 1024 * 1024)
    const first = swarm.seeder()
    const seeded = await first.seed(gone)
    first.throttle(256 * 1024)
    await callAgent(
      agent.url,
      'POST',
      '/start',
      startBody(gone, s3.endpoint, { jobId: 'job-gone' }),
    )
    await waitFor(
      () => api.of('job-gone').find((c) => c.type === 'progress_update' && c.bytesDownloaded > 0),
      20_000,
      'some bytes downloaded',
    )
    await new Promise<void>((resolve) => seeded.destroy({}, () => resolve()))
    const parked = await waitingReport('job-gone', 'peers')
    expect(parked.phase).toBe('downloading')
    expect(Date.parse(parked.waiting!.until!)).toBeGreaterThan(Date.parse(parked.waiting!.since))
    expect(await status()).toMatchObject({ transfers: 0, parkedJobs: 1 })

    await swarm.seeder().seed(gone)
    const back = await waitFor(
      () =>
        api
          .of('job-gone')
          .find(
            (c, i, all) =>
              c.type === 'progress_update' &&
              c.waiting === null &&
              all.slice(0, i).some((p) => p === parked),
          ),
      20_000,
      'the job to take its slot back',
    )
    expect(back).toBeDefined()
    expect(await final('job-gone')).toMatchObject({ type: 'completed' })
  })
})
