import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAgent, type RunningAgent } from '../src/agent.ts'
import { loadConfig } from '../src/config.ts'
import { createLogger } from '../src/log.ts'
import { buildTorrent, content } from './fixtures.ts'
import {
  agentEnv,
  callAgent,
  grantFor,
  startBody,
  startFakeApi,
  startS3,
  startSwarm,
  tempDir,
  waitFor,
  type FakeApi,
  type S3,
  type Swarm,
} from './swarm.ts'

let swarm: Swarm
let s3: S3
let api: FakeApi
let dataDir: string
let agent: RunningAgent

beforeAll(async () => {
  swarm = await startSwarm()
  s3 = await startS3()
  api = await startFakeApi(() => grantFor(s3.endpoint, '0'.repeat(40)))
  dataDir = await tempDir('agent-stall')
  agent = await startAgent(
    loadConfig(agentEnv(api.url, dataDir, { AGENT_STALL_TIMEOUT_MS: '1500' })),
    createLogger('silent'),
  )
})

afterAll(async () => {
  await agent?.close(200)
  await swarm?.close()
  await s3?.close()
  await api?.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('stall detection', () => {
  it('fails a download whose only seeder goes away mid-way with stalled, retryable', async () => {
    const fixture = buildTorrent({
      name: 'slow',
      announce: swarm.announce,
      files: [{ segments: ['big.bin'], data: content(8 * 1024 * 1024) }],
    })
    const seeded = await swarm.seed(fixture)
    swarm.throttle(256 * 1024)
    const jobId = 'job-stall'
    await callAgent(agent.url, 'POST', '/start', startBody(fixture, s3.endpoint, { jobId }))
    await waitFor(
      () => api.of(jobId).find((c) => c.type === 'progress_update' && c.bytesDownloaded > 0),
      20_000,
      'some bytes downloaded',
    )
    await new Promise<void>((resolve) => seeded.destroy({}, () => resolve()))
    const failed = await waitFor(
      () => api.of(jobId).find((c) => c.type === 'failed' || c.type === 'completed'),
      20_000,
      'the job to end',
    )
    expect(failed).toMatchObject({ type: 'failed', code: 'stalled', retryable: true })
    swarm.throttle(-1)
  })
})
