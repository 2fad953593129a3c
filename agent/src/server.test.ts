import { agentProtocol, type SignedParts, signedHeaders } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import { JobError, type JobManager } from './jobs.ts'
import { createLogger } from './log.ts'
import { createMetrics } from './metrics.ts'
import { createAgentApp, MAX_BODY_BYTES } from './server.ts'

const secret = 'unit-secret'

// Only the calls these tests make; the job manager itself is exercised by the e2e tests.
const jobs = {
  pause: async (jobId: string) => {
    if (jobId === 'busy') throw new JobError(503, 'at_capacity', 'The agent is full.')
    if (jobId === 'broken') throw new Error('disk exploded')
    return { jobId, infohash: 'ab'.repeat(20), status: 'paused', progressPct: 0 }
  },
  files: () => null,
} as unknown as JobManager

const app = createAgentApp({
  secret,
  tls: null,
  jobs,
  metrics: createMetrics(),
  log: createLogger('silent'),
  status: async () => {
    throw new Error('not used')
  },
})

async function signed(path: string, body?: string, init: RequestInit = {}) {
  const method = body === undefined ? 'GET' : 'POST'
  const headers = await signedHeaders('api', secret, {
    direction: 'api-to-agent',
    method,
    path,
    body: body ?? '',
  })
  return app.request(path, {
    method,
    body,
    ...init,
    headers: { ...headers, 'content-type': 'application/json', ...init.headers },
  })
}

const jobBody = JSON.stringify({ jobId: 'j1' })

/** The headers the API signs for `/pause` of `jobBody` (`parts` to sign something else). */
function pauseHeaders(parts: Partial<SignedParts> = {}) {
  return signedHeaders('api', secret, {
    direction: 'api-to-agent',
    method: 'POST',
    path: agentProtocol.pause.path,
    body: jobBody,
    ...parts,
  })
}

function postJob(path: string, headers: Record<string, string>) {
  return app.request(path, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: jobBody,
  })
}

describe('the agent app', () => {
  it('answers an unknown path with 401 unsigned and 404 signed', async () => {
    expect((await app.request('/nowhere')).status).toBe(401)
    const response = await signed('/nowhere')
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({
      error: { code: 'not_found', message: 'No route GET /nowhere.' },
    })
  })

  it('refuses a body over the limit with 413 before checking its signature', async () => {
    const response = await app.request(agentProtocol.start.path, {
      method: 'POST',
      body: 'x'.repeat(MAX_BODY_BYTES + 1),
    })
    expect(response.status).toBe(413)
    expect(await response.json()).toEqual({
      error: { code: 'payload_too_large', message: 'The request body is larger than 8 MiB.' },
    })
  })

  it('refuses a chunked body over the limit with 413 while it is read, before checking its signature', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20)
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_BODY_BYTES) return controller.close()
        sent += chunk.length
        controller.enqueue(chunk)
      },
    })
    const request = new Request(`http://agent.test${agentProtocol.start.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(request.headers.has('content-length')).toBe(false)
    const response = await app.request(request)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } })
  })

  it('answers a signed body that is not JSON with 400 invalid_json', async () => {
    const response = await signed(agentProtocol.pause.path, '{nope')
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_json' } })
  })

  it('answers a job error with its status and code', async () => {
    const response = await signed(agentProtocol.pause.path, JSON.stringify({ jobId: 'busy' }))
    expect(response.status).toBe(503)
    expect(await response.json()).toEqual({
      error: { code: 'at_capacity', message: 'The agent is full.' },
    })
  })

  it('answers an unexpected error with 500 and no internals', async () => {
    const response = await signed(agentProtocol.pause.path, JSON.stringify({ jobId: 'broken' }))
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(text).not.toContain('disk exploded')
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'internal_error' } })
  })

  it('answers a signed, valid request with the job view', async () => {
    const response = await signed(agentProtocol.pause.path, JSON.stringify({ jobId: 'j1' }))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ jobId: 'j1', status: 'paused' })
  })

  it('refuses a captured /pause request replayed to /stop', async () => {
    const response = await postJob(agentProtocol.stop.path, await pauseHeaders())
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: { code: 'not_signed_in' } })
  })

  it('refuses an identical signed request sent again (same nonce)', async () => {
    const headers = await pauseHeaders()
    expect((await postJob(agentProtocol.pause.path, headers)).status).toBe(200)
    const again = await postJob(agentProtocol.pause.path, headers)
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ error: { code: 'replayed' } })
  })

  it('refuses a request signed with the agent-to-api key', async () => {
    const headers = await pauseHeaders({ direction: 'agent-to-api' })
    expect((await postJob(agentProtocol.pause.path, headers)).status).toBe(401)
  })
})
