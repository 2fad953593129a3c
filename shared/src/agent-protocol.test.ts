import { describe, expect, it } from 'vitest'
import { agentProtocol, INTERNAL_PREFIX, readAnswer, signedRequest } from './agent-protocol.ts'
import { readSignatureHeaders, verifySignature } from './signing.ts'
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
    // The protocol path is signed, not the base URL's prefix (a reverse proxy strips it).
    const check = await verifySignature(
      's3cret',
      { direction: 'api-to-agent', method: 'POST', path: '/stop', body },
      readSignatureHeaders((name) => request.headers.get(name)),
    )
    expect(check).toMatchObject({ ok: true })
    expect(request.headers.get(SIGNATURE_HEADERS.nonce)).toMatch(/^[0-9a-f]{32}$/)
  })

  it('signs agent requests to the Worker in the agent-to-api direction, with a fresh nonce each', async () => {
    const options = { baseUrl: 'http://api.test', signer: 'agent-1', secret: 's3cret' }
    const input = { jobId: 'job-1' }
    const first = await signedRequest(agentProtocol.credentials, input, options)
    const second = await signedRequest(agentProtocol.credentials, input, options)
    const parts = {
      method: 'POST',
      path: '/internal/jobs/credentials',
      body: JSON.stringify(input),
    }
    const headers = readSignatureHeaders((name) => first.headers.get(name))
    expect(
      await verifySignature('s3cret', { ...parts, direction: 'agent-to-api' }, headers),
    ).toMatchObject({ ok: true })
    expect(
      await verifySignature('s3cret', { ...parts, direction: 'api-to-agent' }, headers),
    ).toMatchObject({ ok: false })
    expect(second.headers.get(SIGNATURE_HEADERS.nonce)).not.toBe(headers.nonce)
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
