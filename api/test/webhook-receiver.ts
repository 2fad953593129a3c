// Users' webhook endpoints, played by vitest in Node on 127.0.0.1 (allowed by the tests'
// WEBHOOK_LOCAL_HOSTS only). Each test posts to its own path, tells the receiver that endpoint's
// secret (`/_secret`), and asks what arrived (`/_received`): each delivery's signature is checked
// with the verification snippet of INTEGRATIONS.md "Webhooks". `/_fail` makes the next
// deliveries to a path answer 500, to see them retried.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedWebhook {
  event: string | undefined
  delivery: string | undefined
  timestamp: string
  signature: string
  body: string
  /** Whether the signature checks out with the secret the test last gave for this path. */
  validSignature: boolean
}

// The snippet INTEGRATIONS.md gives receivers, as is.
function verifyTseederWebhook(secret: string, headers: Record<string, unknown>, body: string) {
  const timestamp = String(headers['x-tseeder-timestamp'] ?? '')
  const signature = String(headers['x-tseeder-signature'] ?? '')
  const expected = 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
  const fresh = Math.abs(Date.now() - Number(timestamp)) < 5 * 60 * 1000
  return (
    fresh &&
    signature.length === expected.length &&
    timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
  )
}

export async function startWebhookReceiver(port: number): Promise<{ url: string; server: Server }> {
  const received = new Map<string, ReceivedWebhook[]>()
  const secrets = new Map<string, string>()
  const failing = new Map<string, number>()
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const url = new URL(req.url ?? '/', 'http://receiver')
    const reply = (status: number, answer: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(answer))
    }
    const path = url.searchParams.get('path') ?? ''
    if (url.pathname === '/_received') return reply(200, received.get(path) ?? [])
    if (url.pathname === '/_secret') {
      secrets.set(path, url.searchParams.get('secret') ?? '')
      return reply(200, { ok: true })
    }
    if (url.pathname === '/_fail') {
      failing.set(path, Number(url.searchParams.get('times') ?? 1))
      return reply(200, { ok: true })
    }
    if (req.method !== 'POST') return reply(404, {})
    const left = failing.get(url.pathname) ?? 0
    if (left > 0) {
      failing.set(url.pathname, left - 1)
      return reply(500, { error: 'receiver told to fail' })
    }
    const list = received.get(url.pathname) ?? []
    list.push({
      event: req.headers['x-tseeder-event'] as string | undefined,
      delivery: req.headers['x-tseeder-delivery'] as string | undefined,
      timestamp: String(req.headers['x-tseeder-timestamp'] ?? ''),
      signature: String(req.headers['x-tseeder-signature'] ?? ''),
      body,
      validSignature: verifyTseederWebhook(secrets.get(url.pathname) ?? '', req.headers, body),
    })
    received.set(url.pathname, list)
    return reply(204, null)
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const { port: bound } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${bound}`, server }
}
