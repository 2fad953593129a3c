// The operators' webhook, played by vitest in Node: it checks each delivery's signature the way
// OBSERVABILITY.md tells a receiver to, and records what it got so tests can ask. Tests can make
// it fail the next deliveries of one alert key (`/_fail`), to see them retried.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedAlert {
  event: 'opened' | 'resolved'
  key: string
  text: string
  severity: string
  runbook: string | null
  validSignature: boolean
}

function signatureOk(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  body: string,
) {
  if (!timestamp || !signature) return false
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
  const fresh = Math.abs(Date.now() - Number(timestamp)) < 5 * 60_000
  return (
    fresh &&
    expected.length === signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  )
}

export async function startAlertReceiver(
  secret: string,
  port: number,
): Promise<{ url: string; server: Server }> {
  const received: ReceivedAlert[] = []
  const failing = new Map<string, number>()
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const url = new URL(req.url ?? '/', 'http://receiver')
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const key = url.searchParams.get('key') ?? ''
    if (url.pathname === '/_received')
      return reply(
        200,
        received.filter((r) => r.key === key),
      )
    if (url.pathname === '/_fail') {
      failing.set(key, Number(url.searchParams.get('times') ?? 1))
      return reply(200, { ok: true })
    }
    if (url.pathname !== '/hook' || req.method !== 'POST') return reply(404, {})
    const body = JSON.parse(text) as {
      text: string
      event: ReceivedAlert['event']
      alert: { key: string; severity: string; runbook: string | null }
    }
    const left = failing.get(body.alert.key) ?? 0
    if (left > 0) {
      failing.set(body.alert.key, left - 1)
      return reply(500, { error: 'receiver told to fail' })
    }
    received.push({
      event: body.event,
      key: body.alert.key,
      text: body.text,
      severity: body.alert.severity,
      runbook: body.alert.runbook,
      validSignature: signatureOk(
        secret,
        req.headers['x-tseeder-timestamp'] as string | undefined,
        req.headers['x-tseeder-signature'] as string | undefined,
        text,
      ),
    })
    return reply(200, { ok: true })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const { port: bound } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${bound}`, server }
}
