import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAgent } from '../src/agent.ts'
import { loadConfig } from '../src/config.ts'
import { createLogger } from '../src/log.ts'
import { buildTorrent, content } from '@tseeder/testkit/fixtures'
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

beforeAll(async () => {
  swarm = await startSwarm()
  s3 = await startS3()
  api = await startFakeApi(() => grantFor(s3.endpoint, '0'.repeat(40)))
  dataDir = await tempDir('agent-outbox')
})

afterAll(async () => {
  await swarm?.close()
  await s3?.close()
  await api?.close()
  await rm(dataDir, { recursive: true, force: true })
})

const OUTAGE_MS = 20_000

describe('the callback outbox', () => {
  it('keeps callbacks through a 20 s API outage and a restart, and delivers them in order', async () => {
    const fixture = buildTorrent({
      name: 'data',
      announce: swarm.announce,
      files: [
        { segments: ['a.bin'], data: content(700_000) },
        { segments: ['b.bin'], data: content(900_000) },
      ],
    })
    await swarm.seed(fixture)
    // Progress ticks start with the job; at the suite's 200 ms one could come before the metadata
    // on a loaded machine and take seq 1. 2 s still ticks during the download, after the metadata.
    const env = agentEnv(api.url, dataDir, { AGENT_PROGRESS_INTERVAL_MS: '2000' })
    const jobId = 'job-api-down'
    api.setDown(true)
    const wentDown = Date.now()

    const first = await startAgent(loadConfig(env), createLogger('silent'))
    await callAgent(first.url, 'POST', '/start', startBody(fixture, s3.endpoint, { jobId }))
    await waitFor(() => first.jobs.view(jobId)?.status === 'completed', 20_000, 'local completion')
    // The record says completed a moment before the `completed` callback is in the outbox.
    await waitFor(() => first.reporter.hasPending(jobId, 'completed'), 5_000, 'completed queued')
    expect(api.of(jobId)).toEqual([])
    expect(first.reporter.pending).toBeGreaterThanOrEqual(3)
    await first.close(200)

    const second = await startAgent(loadConfig(env), createLogger('silent'))
    try {
      // 20 s without the API in all, the restart included.
      await new Promise((resolve) => setTimeout(resolve, wentDown + OUTAGE_MS - Date.now()))
      expect(api.of(jobId)).toEqual([])
      api.setDown(false)
      await waitFor(() => api.of(jobId).find((c) => c.type === 'completed'), 15_000, 'completed')
      const events = api.of(jobId)
      expect(events[0]!.type).toBe('metadata_ready')
      expect(events.at(-1)!.type).toBe('completed')
      const seqs = events.map((e) => e.seq)
      expect(seqs).toEqual(seqs.map((_, i) => i + 1))
      // The API has the last callback; the agent empties its outbox once it reads the answer.
      await waitFor(() => second.reporter.pending === 0, 5_000, 'an empty outbox')
    } finally {
      api.setDown(false)
      await second.close(500)
    }
  })
})
