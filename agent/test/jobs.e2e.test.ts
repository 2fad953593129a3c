import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { AgentCallback } from '@tseeder/shared'
import type { Torrent } from 'webtorrent'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startAgent, type RunningAgent } from '../src/agent.ts'
import { loadConfig } from '../src/config.ts'
import { crc32 } from '../src/crc32.ts'
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

let swarm: Swarm
let s3: S3
let api: FakeApi
let dataDir: string
let agent: RunningAgent

type Completed = Extract<AgentCallback, { type: 'completed' }>
type Failed = Extract<AgentCallback, { type: 'failed' }>
type MetadataReady = Extract<AgentCallback, { type: 'metadata_ready' }>

function final(jobId: string) {
  return waitFor(
    () => api.of(jobId).find((c) => c.type === 'completed' || c.type === 'failed'),
    30_000,
    `job ${jobId} to finish`,
  )
}

async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

beforeAll(async () => {
  swarm = await startSwarm()
  s3 = await startS3()
  api = await startFakeApi(() => grantFor(s3.endpoint, '0'.repeat(40)))
  dataDir = await tempDir('agent')
  const config = loadConfig(agentEnv(api.url, dataDir))
  agent = await startAgent(config, createLogger('warn'))
})

afterAll(async () => {
  await agent?.close(1000)
  await swarm?.close()
  await s3?.close()
  await api?.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('a job on a real swarm', () => {
  let fixture: TorrentFixture
  let seeded: Torrent
  beforeAll(async () => {
    fixture = buildTorrent({
      name: 'album',
      announce: swarm.announce,
      files: [
        { segments: ['cover.jpg'], data: content(300_000) },
        { segments: ['disc 1', 'track.mp3'], data: content(1_500_000) },
        { segments: ['notes.txt'], data: content(1234) },
      ],
    })
    seeded = await swarm.seed(fixture)
  })

  it('downloads a magnet and stores every file in S3 with the right bytes', async () => {
    const jobId = 'job-magnet'
    const res = await callAgent(
      agent.url,
      'POST',
      '/start',
      startBody(fixture, s3.endpoint, { jobId }),
    )
    expect(res.status).toBe(200)
    const done = (await final(jobId)) as Completed
    expect(done.type).toBe('completed')
    expect(done.files.map((f) => f.key)).toEqual(
      [0, 1, 2].map((i) => `content/${fixture.infohash}/${i}`),
    )
    for (const [i, file] of done.files.entries()) {
      expect(await s3.objectSha256(file.key)).toBe(fixture.sha256[i])
      expect(file.size).toBe(fixture.files[i]!.data.length)
      expect(file.crc32).toBe(crc32(fixture.files[i]!.data))
    }
    expect(done.files[1]).toMatchObject({ path: 'album/disc 1/track.mp3', mimeType: 'audio/mpeg' })
    expect(await s3.objectType(done.files[0]!.key)).toBe('image/jpeg')

    const events = api.of(jobId)
    // While a magnet's metadata is fetched the agent may already report (peers, elapsed time):
    // on a loaded machine its 200 ms tick can come first. Nothing else may precede the metadata.
    const fetching = (e: AgentCallback) =>
      e.type === 'progress_update' && e.phase === 'metadata_fetch'
    expect(events.find((e) => !fetching(e))!.type).toBe('metadata_ready')
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
    expect(events.every((e) => e.attempt === 1)).toBe(true)
    const progress = events.filter((e) => e.type === 'progress_update')
    expect(progress.at(-1)).toMatchObject({
      progressPct: 100,
      bytesTotal: 1_801_234,
      bytesUploaded: 1_801_234,
    })
    await expect(stat(join(dataDir, 'jobs', jobId))).rejects.toThrow()
  })

  it('downloads only the selected files of a .torrent', async () => {
    const jobId = 'job-selected'
    const body = startBody(fixture, s3.endpoint, { jobId, selectedFiles: [1] }, 'torrent')
    expect((await callAgent(agent.url, 'POST', '/start', body)).status).toBe(200)
    const done = (await final(jobId)) as Completed
    expect(done.type).toBe('completed')
    expect(done.files.map((f) => f.index)).toEqual([1])
    expect(await s3.objectSha256(done.files[0]!.key)).toBe(fixture.sha256[1])
    const meta = api.of(jobId).find((c) => c.type === 'metadata_ready') as MetadataReady
    expect(meta.bytesTotal).toBe(1_500_000)
    const files = await callAgent(agent.url, 'GET', `/files/${jobId}`)
    expect(files.body).toMatchObject({ jobId, files: [{ index: 1, uploaded: true }] })
  })

  it('answers a repeated /start for the same attempt with the job state', async () => {
    const jobId = 'job-selected'
    const body = startBody(fixture, s3.endpoint, { jobId, selectedFiles: [1] }, 'torrent')
    const again = await callAgent(agent.url, 'POST', '/start', body)
    expect(again).toMatchObject({ status: 200, body: { jobId, status: 'completed' } })
  })

  it('renews storage credentials through the API when they are about to expire', async () => {
    const jobId = 'job-renew'
    const body = startBody(fixture, s3.endpoint, { jobId, selectedFiles: [2] })
    body.storage = {
      ...body.storage,
      prefix: 'renewed/',
      credentials: {
        ...body.storage.credentials,
        expiresAt: new Date(Date.now() + 30_000).toISOString(),
      },
    }
    const before = api.credentialRequests.length
    await callAgent(agent.url, 'POST', '/start', body)
    const done = (await final(jobId)) as Completed
    expect(done.type).toBe('completed')
    expect(api.credentialRequests.slice(before)).toContainEqual({ jobId })
    expect(await s3.objectSha256('renewed/2')).toBe(fixture.sha256[2])
  })

  it('stops a job before downloading when a file is over the plan limit', async () => {
    const jobId = 'job-quota-file'
    const sentBefore = seeded.uploaded
    const body = startBody(fixture, s3.endpoint, {
      jobId,
      limits: { maxFileBytes: 1_000_000, remainingStorageBytes: null },
    })
    await callAgent(agent.url, 'POST', '/start', body)
    const failed = (await final(jobId)) as Failed
    expect(failed).toMatchObject({ type: 'failed', code: 'quota_exceeded', retryable: false })
    expect(failed.message).toContain('maximum file size')
    expect(api.of(jobId).some((c) => c.type === 'metadata_ready')).toBe(false)
    // Only the metadata (about 1 KiB) went out: not a single 64 KiB piece.
    expect(seeded.uploaded - sentBefore).toBeLessThan(64 * 1024)
    await expect(stat(join(dataDir, 'jobs', jobId))).rejects.toThrow()
  })

  it('stops a job before downloading when the selection is over the storage left', async () => {
    const jobId = 'job-quota-storage'
    const body = startBody(fixture, s3.endpoint, {
      jobId,
      limits: { maxFileBytes: null, remainingStorageBytes: 1_000_000 },
    })
    await callAgent(agent.url, 'POST', '/start', body)
    const failed = (await final(jobId)) as Failed
    expect(failed).toMatchObject({ code: 'quota_exceeded' })
    expect(failed.message).toContain('storage left')
  })
})

describe('transfer control', () => {
  let fixture: TorrentFixture
  let seeded: Torrent
  beforeAll(async () => {
    fixture = buildTorrent({
      name: 'movie.mkv',
      announce: swarm.announce,
      singleFile: true,
      files: [{ segments: ['movie.mkv'], data: content(4 * 1024 * 1024) }],
    })
    seeded = await swarm.seed(fixture)
  })
  afterEach(() => swarm.throttle(-1))

  async function startThrottled(jobId: string) {
    swarm.throttle(1024 * 1024)
    await callAgent(
      agent.url,
      'POST',
      '/start',
      startBody(fixture, s3.endpoint, { jobId, attempt: 1 }),
    )
    await waitFor(
      () => api.of(jobId).find((c) => c.type === 'progress_update' && c.bytesDownloaded > 0),
      20_000,
      'first bytes',
    )
  }

  /** Resolves once the seeder has lost every connection it has now (the agent let go of the torrent). */
  async function peersGone() {
    const open = [...seeded.wires]
    await waitFor(() => !seeded.wires.some((w) => open.includes(w)), 10_000, 'the peers to go')
  }

  /** Resolves on the agent's next heartbeat: it has run on for a heartbeat interval since. */
  async function nextHeartbeat() {
    const beats = api.heartbeats.length
    await waitFor(() => api.heartbeats.length > beats, 10_000, 'the next heartbeat')
  }

  it('pauses a job so no more bytes flow, then resumes it to completion', async () => {
    const jobId = 'job-pause'
    await startThrottled(jobId)
    const paused = await callAgent(agent.url, 'POST', '/pause', { jobId })
    expect(paused).toMatchObject({ status: 200, body: { status: 'paused' } })
    await peersGone()
    const sentAtPause = seeded.uploaded
    await nextHeartbeat()
    expect(seeded.uploaded).toBe(sentAtPause)
    const kept = await listTree(join(dataDir, 'jobs', jobId))
    expect(kept.length).toBeGreaterThan(0)
    const status = await callAgent(agent.url, 'GET', '/status')
    expect((status.body as { jobs: { jobId: string; status: string }[] }).jobs).toContainEqual(
      expect.objectContaining({ jobId, status: 'paused' }),
    )

    swarm.throttle(-1)
    expect((await callAgent(agent.url, 'POST', '/resume', { jobId })).status).toBe(200)
    const done = (await final(jobId)) as Completed
    expect(done.type).toBe('completed')
    expect(await s3.objectSha256(done.files[0]!.key)).toBe(fixture.sha256[0])
  })

  it('stops and removes a job, deleting its bytes and its record', async () => {
    const jobId = 'job-stop'
    await startThrottled(jobId)
    const stopped = await callAgent(agent.url, 'POST', '/stop', { jobId })
    expect(stopped.status).toBe(200)
    await expect(stat(join(dataDir, 'jobs', jobId))).rejects.toThrow()
    await expect(stat(join(dataDir, 'state', `${jobId}.json`))).rejects.toThrow()
    expect((await callAgent(agent.url, 'GET', `/files/${jobId}`)).status).toBe(404)
    const sentAfterStop = seeded.uploaded
    await peersGone()
    await nextHeartbeat()
    expect(seeded.uploaded - sentAfterStop).toBeLessThan(256 * 1024)
  })

  it('restarts a broken engine and still completes the running jobs', async () => {
    const jobId = 'job-engine-restart'
    await startThrottled(jobId)
    await agent.jobs.restartEngine('test: simulated webtorrent crash')
    swarm.throttle(-1)
    const done = (await final(jobId)) as Completed
    expect(done.type).toBe('completed')
    expect(await s3.objectSha256(done.files[0]!.key)).toBe(fixture.sha256[0])
    const seqs = api.of(jobId).map((c) => c.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(new Set(seqs).size).toBe(seqs.length)
  })
})

describe('limits without peers', () => {
  it('fails a job with no_peers when no metadata arrives in time', async () => {
    const dir = await tempDir('agent-timeout')
    const quick = await startAgent(
      loadConfig(agentEnv(api.url, dir, { AGENT_METADATA_TIMEOUT_MS: '1000' })),
      createLogger('error'),
    )
    try {
      const infohash = 'ab'.repeat(20)
      const jobId = 'job-no-peers'
      await callAgent(quick.url, 'POST', '/start', {
        jobId,
        attempt: 1,
        infohash,
        magnet: `magnet:?xt=urn:btih:${infohash}&tr=${encodeURIComponent(swarm.announce)}`,
        limits: { maxFileBytes: null, remainingStorageBytes: null },
        storage: grantFor(s3.endpoint, infohash),
      })
      const failed = (await final(jobId)) as Failed
      expect(failed).toMatchObject({ type: 'failed', code: 'no_peers', retryable: true })
      await expect(stat(join(dir, 'jobs', jobId))).rejects.toThrow()
    } finally {
      await quick.close(500)
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('stall detection', () => {
  it('fails a download whose only seeder goes away mid-way with stalled, retryable', async () => {
    const dir = await tempDir('agent-stall')
    const quick = await startAgent(
      loadConfig(agentEnv(api.url, dir, { AGENT_STALL_TIMEOUT_MS: '1500' })),
      createLogger('error'),
    )
    const fixture = buildTorrent({
      name: 'slow',
      announce: swarm.announce,
      files: [{ segments: ['big.bin'], data: content(8 * 1024 * 1024) }],
    })
    const seeded = await swarm.seed(fixture)
    swarm.throttle(256 * 1024)
    try {
      const jobId = 'job-stall'
      await callAgent(quick.url, 'POST', '/start', startBody(fixture, s3.endpoint, { jobId }))
      await waitFor(
        () => api.of(jobId).find((c) => c.type === 'progress_update' && c.bytesDownloaded > 0),
        20_000,
        'some bytes downloaded',
      )
      await new Promise<void>((resolve) => seeded.destroy({}, () => resolve()))
      expect(await final(jobId)).toMatchObject({ type: 'failed', code: 'stalled', retryable: true })
    } finally {
      swarm.throttle(-1)
      await quick.close(500)
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('hostile names', () => {
  it('writes nothing outside the job folder and reports clean, unique paths', async () => {
    const root = await tempDir('hostile')
    const nestedData = join(root, 'a', 'b', 'c', 'data')
    const hostile = await startAgent(
      loadConfig(agentEnv(api.url, nestedData)),
      createLogger('error'),
    )
    try {
      const corpus = [
        buildTorrent({
          name: '..',
          announce: swarm.announce,
          files: [
            { segments: ['..', '..', '..', 'escape.txt'], data: content(70_000) },
            { segments: ['/etc/passwd'], data: content(1000) },
            { segments: ['a\\..\\..\\b.txt'], data: content(2000) },
            { segments: [`${'x'.repeat(300)}.bin`], data: content(3000) },
            { segments: ['dup.txt'], data: content(4000) },
            { segments: ['dup.txt'], data: content(5000) },
            { segments: ['DUP.TXT'], data: content(6000) },
            { segments: ['con'], data: content(700) },
            { segments: ['ctrl\u0001\u0007name.txt'], data: content(800) },
            { segments: ['', '.', 'ok.txt'], data: content(900) },
          ],
        }),
        buildTorrent({
          name: '../../../x',
          announce: swarm.announce,
          singleFile: true,
          files: [{ segments: ['../../../x'], data: content(100_000) }],
        }),
        buildTorrent({
          name: '..',
          announce: swarm.announce,
          singleFile: true,
          files: [{ segments: ['..'], data: content(50_000) }],
        }),
        buildTorrent({
          name: '/tmp/absolute',
          announce: swarm.announce,
          singleFile: true,
          files: [{ segments: ['/tmp/absolute'], data: content(60_000) }],
        }),
      ]
      for (const fixture of corpus) await swarm.seed(fixture)
      const jobIds = corpus.map((_, i) => `job-hostile-${i}`)
      await Promise.all(
        corpus.map((fixture, i) =>
          callAgent(
            hostile.url,
            'POST',
            '/start',
            startBody(fixture, s3.endpoint, { jobId: jobIds[i]! }, i % 2 ? 'magnet' : 'torrent'),
          ),
        ),
      )
      for (const [i, jobId] of jobIds.entries()) {
        const done = (await final(jobId)) as Completed
        expect(done.type).toBe('completed')
        for (const file of done.files) {
          expect(await s3.objectSha256(file.key)).toBe(corpus[i]!.sha256[file.index])
        }
        const meta = api.of(jobId).find((c) => c.type === 'metadata_ready') as MetadataReady
        const paths = meta.files.map((f) => f.path)
        for (const path of paths) {
          expect(path.startsWith('/')).toBe(false)
          expect(path).not.toContain('\\')
          expect(path.split('/')).not.toContain('..')
          expect(path.split('/').every((s) => Buffer.byteLength(s) <= 200)).toBe(true)
          expect([...path].some((ch) => ch.charCodeAt(0) < 0x20)).toBe(false)
        }
        expect(new Set(paths.map((p) => p.toLowerCase())).size).toBe(paths.length)
      }
      const written = await listTree(root)
      expect(written.length).toBeGreaterThan(0)
      for (const file of written) {
        expect(
          file.startsWith(join(nestedData, 'state') + '/') ||
            file.startsWith(join(nestedData, 'outbox') + '/'),
        ).toBe(true)
      }
    } finally {
      await hostile.close(500)
      await rm(root, { recursive: true, force: true })
    }
  })
})
