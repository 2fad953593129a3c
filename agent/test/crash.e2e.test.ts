import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AgentCallback } from '@tseeder/shared'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
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

const agentRoot = fileURLToPath(new URL('..', import.meta.url))
let swarm: Swarm
let s3: S3
let api: FakeApi
let fixture: TorrentFixture
const children = new Set<ChildProcess>()

/**
 * Runs the agent as its own process (`src/main.ts` through tsx) and resolves with its URL;
 * `preload` modules are imported first (fault injection).
 */
async function spawnAgent(
  dataDir: string,
  preload: string[] = [],
  env: Record<string, string> = {},
) {
  const imports = ['tsx', ...preload].flatMap((module) => ['--import', module])
  const child = spawn(process.execPath, [...imports, 'src/main.ts'], {
    cwd: agentRoot,
    env: { ...process.env, ...agentEnv(api.url, dataDir, { AGENT_LOG_LEVEL: 'info' }), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"agent listening"/.exec(output)
      if (match) resolve(match[1]!)
    })
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', () => reject(new Error(`agent exited early:\n${output}`)))
  })
  return { child, url, exited, output: () => output }
}

beforeAll(async () => {
  swarm = await startSwarm()
  s3 = await startS3()
  api = await startFakeApi(() => grantFor(s3.endpoint, '0'.repeat(40)))
  fixture = buildTorrent({
    name: 'set',
    announce: swarm.announce,
    files: [
      { segments: ['small.bin'], data: content(256 * 1024) },
      { segments: ['large.bin'], data: content(5 * 1024 * 1024) },
    ],
  })
  await swarm.seed(fixture)
})

afterEach(() => swarm.throttle(-1))

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL')
  await swarm?.close()
  await s3?.close()
  await api?.close()
})

describe('the agent process', () => {
  it('resumes after SIGKILL mid-download and completes without uploading a file twice', async () => {
    const dataDir = await tempDir('agent-kill')
    try {
      const jobId = 'job-sigkill'
      swarm.throttle(1536 * 1024)
      const first = await spawnAgent(dataDir)
      await callAgent(first.url, 'POST', '/start', startBody(fixture, s3.endpoint, { jobId }))
      const key = (i: number) => `content/${fixture.infohash}/${i}`
      const filesDir = join(dataDir, 'jobs', jobId, 'files')
      await waitFor(
        async () => {
          const state = JSON.parse(
            await readFile(join(dataDir, 'state', `${jobId}.json`), 'utf8').catch(() => '{}'),
          )
          const onDisk = await readdir(filesDir).catch((): string[] => [])
          return state.uploaded?.['0'] && onDisk.includes('1')
        },
        20_000,
        'the first file stored and the second one begun',
      )
      expect(s3.created.get(key(1))).toBeUndefined()
      first.child.kill('SIGKILL')
      await first.exited
      expect(await readdir(filesDir)).toContain('1')

      swarm.throttle(-1)
      const second = await spawnAgent(dataDir)
      const done = (await waitFor(
        () => api.of(jobId).find((c) => c.type === 'completed'),
        30_000,
        'completed after restart',
      )) as Extract<AgentCallback, { type: 'completed' }>
      expect(done.files.map((f) => f.key)).toEqual([key(0), key(1)])
      expect(await s3.objectSha256(key(0))).toBe(fixture.sha256[0])
      expect(await s3.objectSha256(key(1))).toBe(fixture.sha256[1])
      expect(s3.created.get(key(0))).toBe(1)
      expect(s3.created.get(key(1))).toBe(1)
      const events = api.of(jobId)
      expect(events.filter((e) => e.type === 'metadata_ready')).toHaveLength(1)
      const seqs = events.map((e) => e.seq)
      expect(new Set(seqs).size).toBe(seqs.length)
      second.child.kill('SIGTERM')
      expect(await second.exited).toBe(0)
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('survives an exception escaping the torrent engine: restarts it and finishes every job', async () => {
    const dataDir = await tempDir('agent-engine-throw')
    try {
      const torrents = ['one', 'two'].map((name) =>
        buildTorrent({
          name,
          announce: swarm.announce,
          singleFile: true,
          files: [{ segments: [`${name}.bin`], data: content(3 * 1024 * 1024) }],
        }),
      )
      for (const t of torrents) await swarm.seed(t)
      swarm.throttle(1536 * 1024)
      const agent = await spawnAgent(dataDir, ['./test/faults/engine-throws.ts'], {
        TEST_ENGINE_THROW_AFTER_PIECES: '8',
      })
      const jobId = (i: number) => `job-engine-throw-${i}`
      for (const [i, t] of torrents.entries()) {
        await callAgent(agent.url, 'POST', '/start', startBody(t, s3.endpoint, { jobId: jobId(i) }))
      }
      await waitFor(
        () => agent.output().includes('"msg":"restarting the torrent engine"'),
        20_000,
        'the engine restarted',
      )
      expect(agent.output()).toContain('"msg":"uncaught torrent engine error"')
      swarm.throttle(-1)
      for (const [i, t] of torrents.entries()) {
        const done = (await waitFor(
          () => api.of(jobId(i)).find((c) => c.type === 'completed' || c.type === 'failed'),
          30_000,
          `${jobId(i)} to finish`,
        )) as AgentCallback
        expect(done.type).toBe('completed')
        expect(await s3.objectSha256(`content/${t.infohash}/0`)).toBe(t.sha256[0])
        const seqs = api.of(jobId(i)).map((e) => e.seq)
        expect(seqs).toEqual(seqs.map((_, n) => n + 1))
      }
      expect(agent.child.exitCode).toBeNull()
      agent.child.kill('SIGTERM')
      expect(await agent.exited).toBe(0)
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('drains on SIGTERM: exits 0 with its state saved and its outbox delivered', async () => {
    const dataDir = await tempDir('agent-term')
    try {
      const jobId = 'job-sigterm'
      // Fresh content: the first test's objects are already in storage and would be reused.
      const other = buildTorrent({
        name: 'other',
        announce: swarm.announce,
        singleFile: true,
        files: [{ segments: ['other.bin'], data: content(4 * 1024 * 1024) }],
      })
      await swarm.seed(other)
      swarm.throttle(1024 * 1024)
      const agent = await spawnAgent(dataDir)
      await callAgent(
        agent.url,
        'POST',
        '/start',
        startBody(other, s3.endpoint, { jobId, attempt: 2 }),
      )
      await waitFor(
        () => api.of(jobId).find((c) => c.type === 'progress_update' && c.bytesDownloaded > 0),
        20_000,
        'first bytes',
      )
      agent.child.kill('SIGTERM')
      expect(await agent.exited).toBe(0)
      expect(agent.output()).toContain('"msg":"agent stopped"')
      expect(await readdir(join(dataDir, 'outbox'))).toEqual([])
      const state = JSON.parse(await readFile(join(dataDir, 'state', `${jobId}.json`), 'utf8'))
      expect(state.status).toMatch(/downloading|uploading/)
      expect(api.of(jobId).every((c) => c.attempt === 2)).toBe(true)
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
