import { rm } from 'node:fs/promises'
import type { AgentCallback } from '@tseeder/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAgent, type RunningAgent } from '../src/agent.ts'
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
import { seedFixtureWithLibtorrent } from '@tseeder/testkit/libtorrent'
import { startS3, type S3 } from '@tseeder/testkit/s3'
import { startSwarm, type Swarm } from '@tseeder/testkit/swarm'
import { tempDir, waitFor } from '@tseeder/testkit/wait'

let swarm: Swarm
let s3: S3
let api: FakeApi
let dataDir: string
let agent: RunningAgent
let seeder: Awaited<ReturnType<typeof seedFixtureWithLibtorrent>> | undefined

type Completed = Extract<AgentCallback, { type: 'completed' }>

beforeAll(async () => {
  swarm = await startSwarm()
  s3 = await startS3()
  api = await startFakeApi(() => grantFor(s3.endpoint, '0'.repeat(40)))
  dataDir = await tempDir('agent')
  agent = await startAgent(loadConfig(agentEnv(api.url, dataDir)), createLogger('warn'))
})

afterAll(async () => {
  await agent?.close(1000)
  await seeder?.close()
  await swarm?.close()
  await s3?.close()
  await api?.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('a .torrent from a client that did not sort its info keys', () => {
  it('is downloaded from libtorrent, which hashes the info as written, and every byte stored', async () => {
    const fixture = buildTorrent({
      name: 'old client',
      announce: swarm.announce,
      pieceLength: 16 * 1024,
      unsortedInfo: true,
      files: [
        { segments: ['a.bin'], data: content(200_000) },
        { segments: ['sub', 'b.bin'], data: content(33_333) },
      ],
    })
    seeder = await seedFixtureWithLibtorrent(fixture, { name: 'old client' })
    expect(seeder.infohash).toBe(fixture.infohash)

    const jobId = 'job-unsorted'
    const body = startBody(fixture, s3.endpoint, { jobId }, 'torrent')
    expect((await callAgent(agent.url, 'POST', '/start', body)).status).toBe(200)
    const done = (await waitFor(
      () => api.of(jobId).find((c) => c.type === 'completed' || c.type === 'failed'),
      30_000,
      `job ${jobId} to finish`,
    )) as Completed
    expect(done.type).toBe('completed')
    for (const [i, file] of done.files.entries()) {
      expect(file.key).toBe(`content/${fixture.infohash}/${i}`)
      expect(await s3.objectSha256(file.key)).toBe(fixture.sha256[i])
    }
  })
})
