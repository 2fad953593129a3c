import { describe, expect, it } from 'vitest'
import { agentProtocol, INTERNAL_PREFIX, readAnswer, signedRequest } from './agent-protocol.ts'
import { verifySignature } from './signing.ts'
import { SIGNATURE_HEADERS } from './schemas/agent.ts'

describe('the agent protocol table', () => {
  it('serves every Worker route under the internal prefix, signed', () => {
    for (const entry of Object.values(agentProtocol)) {
      if (entry.server !== 'api') continue
      expect(entry.path.startsWith(`${INTERNAL_PREFIX}/`), entry.path).toBe(true)
      expect(entry.signed).toBe(true)
    }
  })

  it('builds a signed request whose signature covers the JSON body', async () => {
    const request = await signedRequest(
      agentProtocol.stop,
      { jobId: 'job-1', removeData: false },
      { baseUrl: 'http://agent.test/prefix/', signer: 'api', secret: 's3cret' },
    )
    expect(request.method).toBe('POST')
    expect(request.url).toBe('http://agent.test/prefix/stop')
    expect(request.headers.get('content-type')).toBe('application/json')
    expect(request.headers.get(SIGNATURE_HEADERS.agentId)).toBe('api')
    const body = await request.text()
    expect(JSON.parse(body)).toEqual({ jobId: 'job-1', removeData: false })
    const check = await verifySignature(
      's3cret',
      {
        timestamp: request.headers.get(SIGNATURE_HEADERS.timestamp),
        signature: request.headers.get(SIGNATURE_HEADERS.signature),
      },
      body,
    )
    expect(check).toEqual({ ok: true })
  })

  it('fills path parameters and sends no body or signature where the entry has none', async () => {
    const options = { baseUrl: 'http://agent.test', signer: 'api', secret: 's3cret' }
    const files = await signedRequest(agentProtocol.files, { jobId: 'a b' }, options)
    expect(files.url).toBe('http://agent.test/files/a%20b')
    expect(files.method).toBe('GET')
    expect(files.body).toBeNull()
    const health = await signedRequest(agentProtocol.health, undefined, options)
    expect(health.headers.has(SIGNATURE_HEADERS.signature)).toBe(false)
  })

  it('validates an answer against the entry, and passes metrics through as text', async () => {
    const view = { jobId: 'job-1', infohash: 'ab'.repeat(20), status: 'paused', progressPct: 40 }
    expect(await readAnswer(agentProtocol.pause, Response.json(view))).toEqual(view)
    await expect(readAnswer(agentProtocol.pause, Response.json({ ok: true }))).rejects.toThrow()
    await expect(readAnswer(agentProtocol.callback, new Response('<html>'))).rejects.toThrow()
    const text = '# HELP tseeder_agent_active_jobs x\n'
    expect(await readAnswer(agentProtocol.metrics, new Response(text))).toBe(text)
  })
})
