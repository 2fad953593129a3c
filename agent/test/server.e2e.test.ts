import { rm } from 'node:fs/promises'
import { AgentHeartbeat, AgentStatus, SIGNATURE_HEADERS } from '@tseeder/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAgent, type RunningAgent } from '../src/agent.ts'
import { loadConfig } from '../src/config.ts'
import { createLogger } from '../src/log.ts'
import {
  AGENT_ID,
  agentEnv,
  callAgent,
  grantFor,
  startFakeApi,
  type FakeApi,
} from '@tseeder/testkit/fake-api'
import { tempDir, waitFor } from '@tseeder/testkit/wait'

let api: FakeApi
let dataDir: string
let agent: RunningAgent
const infohash = 'cd'.repeat(20)
const s3Endpoint = 'http://127.0.0.1:9'

function body(jobId: string, extra: Record<string, unknown> = {}) {
  return {
    jobId,
    attempt: 1,
    infohash,
    magnet: `magnet:?xt=urn:btih:${infohash}`,
    limits: { maxFileBytes: null, remainingStorageBytes: null },
    storage: grantFor(s3Endpoint, infohash),
    ...extra,
  }
}

beforeAll(async () => {
  api = await startFakeApi(() => grantFor(s3Endpoint, infohash))
  dataDir = await tempDir('agent-server')
  agent = await startAgent(
    loadConfig(
      agentEnv(api.url, dataDir, { AGENT_MAX_JOBS: '1', AGENT_HEARTBEAT_INTERVAL_MS: '200' }),
    ),
    createLogger('error'),
  )
})

afterAll(async () => {
  await agent?.close(500)
  await api?.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('the agent HTTP API', () => {
  it('answers /health and /metrics without a signature', async () => {
    expect(await (await fetch(`${agent.url}/health`)).json()).toEqual({ ok: true })
    const metrics = await (await fetch(`${agent.url}/metrics`)).text()
    expect(metrics).toContain('tseeder_agent_active_jobs')
    expect(metrics).toContain('tseeder_agent_upload_seconds')
  })

  it('refuses a request with no signature', async () => {
    const response = await fetch(`${agent.url}/status`)
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: { code: 'not_signed_in' } })
  })

  it('refuses a request signed with another secret', async () => {
    const res = await callAgent(agent.url, 'POST', '/start', body('job-forged'), {
      secret: 'not-the-agent-secret-at-all',
    })
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'not_signed_in' } } })
    expect(agent.jobs.view('job-forged')).toBeNull()
  })

  it('refuses a request whose timestamp is more than five minutes old', async () => {
    const res = await callAgent(agent.url, 'GET', '/status', undefined, {
      now: Date.now() - 6 * 60_000,
    })
    expect(res.status).toBe(401)
  })

  it('refuses a body that differs from the signed one', async () => {
    const signed = JSON.stringify(body('job-a'))
    const { signedHeaders } = await import('@tseeder/shared')
    const headers = await signedHeaders(AGENT_ID, 'test-secret-0123456789abcdef', {
      direction: 'api-to-agent',
      method: 'POST',
      path: '/start',
      body: signed,
    })
    const response = await fetch(`${agent.url}/start`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body('job-b')),
    })
    expect(response.status).toBe(401)
    expect(headers[SIGNATURE_HEADERS.signature]).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses a chunked /start body over 8 MiB with 413 over the wire', async () => {
    const chunk = new Uint8Array(256 * 1024).fill(0x20)
    let sent = 0
    const response = await fetch(`${agent.url}/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent > 8 * 1024 * 1024) return controller.close()
          sent += chunk.length
          controller.enqueue(chunk)
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } })
  })

  it('answers a malformed body with 400 and the issues', async () => {
    const res = await callAgent(agent.url, 'POST', '/start', { jobId: 'x' })
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ error: { code: 'validation_failed' } })
    expect((res.body as { error: { issues: unknown[] } }).error.issues.length).toBeGreaterThan(0)
  })

  it('answers a magnet whose hash differs from the infohash with 400', async () => {
    const res = await callAgent(
      agent.url,
      'POST',
      '/start',
      body('job-mismatch', { infohash: 'ef'.repeat(20) }),
    )
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } })
  })

  it('answers 404 for a job it does not have', async () => {
    expect((await callAgent(agent.url, 'GET', '/files/nope')).status).toBe(404)
    expect((await callAgent(agent.url, 'POST', '/stop', { jobId: 'nope' })).status).toBe(404)
  })

  it('answers 503 at_capacity when every slot is taken', async () => {
    expect((await callAgent(agent.url, 'POST', '/start', body('job-slot'))).status).toBe(200)
    const res = await callAgent(agent.url, 'POST', '/start', body('job-extra'))
    expect(res).toMatchObject({ status: 503, body: { error: { code: 'at_capacity' } } })
    const status = await callAgent(agent.url, 'GET', '/status')
    const parsed = AgentStatus.parse(status.body)
    expect(parsed).toMatchObject({ agentId: AGENT_ID, capacity: 1, activeJobs: 1 })
    expect(parsed.jobs).toContainEqual(
      expect.objectContaining({ jobId: 'job-slot', status: 'metadata_fetch' }),
    )
    await callAgent(agent.url, 'POST', '/stop', { jobId: 'job-slot' })
  })

  it('sends signed heartbeats the API accepts', async () => {
    const beat = await waitFor(() => api.heartbeats.at(-1), 5000, 'a heartbeat')
    expect(AgentHeartbeat.parse(beat)).toMatchObject({ agentId: AGENT_ID, capacity: 1 })
    expect(AgentHeartbeat.parse(beat).freeDiskBytes).toBeGreaterThan(0)
    expect(api.refused).toEqual([])
  })
})

describe('disk guard', () => {
  it('answers 503 disk_full when free disk is under the reserve', async () => {
    const dir = await tempDir('agent-disk')
    const full = await startAgent(
      loadConfig(agentEnv(api.url, dir, { AGENT_DISK_RESERVE_BYTES: String(2 ** 52) })),
      createLogger('error'),
    )
    try {
      const res = await callAgent(full.url, 'POST', '/start', body('job-disk'))
      expect(res).toMatchObject({ status: 503, body: { error: { code: 'disk_full' } } })
    } finally {
      await full.close(200)
      await rm(dir, { recursive: true, force: true })
    }
  })
})
