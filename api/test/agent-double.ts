// A stand-in for compute agents, run by vitest in Node: it speaks the agent protocol of
// shared/src/agent-protocol.ts (signed /start, /stop, /pause, /resume), verifies every
// signature, and records what it was asked so tests can play the agent's side (its callbacks are
// signed by the tests with the same shared code the real agent uses). One server plays any number
// of agents, each under its own path: http://127.0.0.1:PORT/agents/<agentId>/.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  deriveAgentSecret,
  NonceCache,
  readSignatureHeaders,
  verifySignature,
} from '@tseeder/shared'

export interface RecordedCall {
  agentId: string
  path: string
  body: unknown
  at: number
}

export async function startAgentDouble(
  signingKey: string,
): Promise<{ url: string; server: Server }> {
  const calls: RecordedCall[] = []
  // Agents that answer 503 (full) or 500 (broken) to every call.
  const refusing = new Set<string>()
  const failing = new Set<string>()
  const infohashes = new Map<string, string>()
  const nonces = new NonceCache()
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const url = new URL(req.url ?? '/', 'http://double')
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }

    if (url.pathname === '/_calls') {
      const jobId = url.searchParams.get('job')
      return reply(
        200,
        calls.filter((c) => (c.body as { jobId?: string } | null)?.jobId === jobId),
      )
    }
    if (url.pathname === '/_refuse' || url.pathname === '/_fail') {
      const agent = url.searchParams.get('agent')!
      const set = url.pathname === '/_refuse' ? refusing : failing
      if (url.searchParams.get('on') === '1') set.add(agent)
      else set.delete(agent)
      return reply(200, { ok: true })
    }

    const match = /^\/agents\/([^/]+)\/(start|stop|pause|resume)$/.exec(url.pathname)
    if (!match || req.method !== 'POST')
      return reply(404, { error: { code: 'not_found', message: 'no route' } })
    const [, agentId, action] = match
    // The API signs the protocol path; this double serves it under /agents/<id>/.
    const check = await verifySignature(
      await deriveAgentSecret(signingKey, agentId!),
      { direction: 'api-to-agent', method: req.method, path: `/${action}`, body: text },
      readSignatureHeaders((name) => req.headers[name] as string | undefined),
    )
    if (!check.ok) return reply(401, { error: { code: 'not_signed_in', message: check.message } })
    if (!nonces.claim(check.nonce, check.timestamp))
      return reply(409, { error: { code: 'replayed', message: 'replayed' } })
    if (refusing.has(agentId!))
      return reply(503, { error: { code: 'at_capacity', message: 'full' } })
    if (failing.has(agentId!))
      return reply(500, { error: { code: 'internal_error', message: 'broken' } })
    const body = JSON.parse(text || 'null') as { jobId: string; infohash?: string }
    calls.push({ agentId: agentId!, path: `/${action}`, body, at: Date.now() })
    if (body.infohash) infohashes.set(body.jobId, body.infohash)
    // Answers as a real agent does (the API validates it): the job as it stands.
    return reply(200, {
      jobId: body.jobId,
      infohash: infohashes.get(body.jobId) ?? '0'.repeat(40),
      status: action === 'pause' ? 'paused' : 'downloading',
      progressPct: 0,
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}
