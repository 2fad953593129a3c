// npm run bench -w api: the Worker under `wrangler dev` (local workerd), measured from outside.
// Prints POST /api/jobs latency (500 sequential requests), SSE delivery latency from an agent
// callback to 100 subscribers, and download throughput through /dl/ in the default mode.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { AwsClient } from 'aws4fetch'
import { createClient, deriveAgentSecret, readEventStream, signedHeaders } from '@tseeder/shared'
import { createOrPromoteAdmin } from '@tseeder/testkit/admin'
import { freePort } from '@tseeder/testkit/processes'
import { S3RVER_CREDENTIALS, startS3 } from '@tseeder/testkit/s3'

const root = path.resolve(import.meta.dirname, '../..')
const SIGNING_KEY = 'bench-agent-signing-key'
const quiet = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[
    Math.min(values.length - 1, Math.floor((p / 100) * values.length))
  ]!
const ms = (n: number) => `${n.toFixed(1)} ms`

const state = await mkdtemp(path.join(tmpdir(), 'tseeder-bench-'))
const port = await freePort('127.0.0.1')
const s3 = await startS3()

// A stand-in agent that accepts every /start.
const starts: string[] = []
const agentServer = createServer((req, res) => {
  let body = ''
  req.on('data', (c) => (body += c))
  req.on('end', () => {
    const { jobId, infohash } = JSON.parse(body) as { jobId: string; infohash: string }
    if (req.url?.endsWith('/start')) starts.push(jobId)
    // The API validates an agent's answer: the job as the agent sees it.
    const view = { jobId, infohash, status: 'metadata_fetch', progressPct: 0 }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(view))
  })
}).listen(0, '127.0.0.1')
await new Promise((r) => agentServer.once('listening', r))
const agentUrl = `http://127.0.0.1:${(agentServer.address() as AddressInfo).port}/`

const vars = {
  S3_ENDPOINT: s3.endpoint,
  S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AGENT_SIGNING_KEY: SIGNING_KEY,
  LINK_SIGNING_KEY: 'bench-link-key',
  TURNSTILE_SECRET: '',
  R2_API_TOKEN: '',
  VAPID_PRIVATE_KEY: '',
  ALERT_WEBHOOK_SECRET: '',
}
const persist = path.join(state, 'wrangler')
const migrate = spawn(
  path.join(root, 'node_modules/.bin/wrangler'),
  ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist],
  { cwd: root, env: quiet, stdio: 'ignore' },
)
await new Promise((r) => migrate.once('exit', r))
// The bench's admin is made in D1 before the Worker starts, as `npm run admin:create` does.
await createOrPromoteAdmin(
  { remote: false, persistTo: persist },
  'bench@example.test',
  'bench-password-1',
  root,
)
const wrangler = path.join(root, 'node_modules/.bin/wrangler')
const worker = spawn(
  wrangler,
  [
    'dev',
    '--local',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--persist-to',
    persist,
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ],
  { cwd: root, env: quiet, stdio: 'ignore', detached: true },
)
const base = `http://127.0.0.1:${port}`
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/api/health`)).ok) break
  } catch {
    if (i > 240) throw new Error('wrangler dev did not start')
  }
  await new Promise((r) => setTimeout(r, 250))
}

function browser() {
  const jar = { cookie: '' }
  const client = createClient({
    baseUrl: base,
    fetch: async (request) => {
      if (jar.cookie) request.headers.set('cookie', jar.cookie)
      const response = await fetch(request)
      const set = response.headers.get('set-cookie')
      if (set) jar.cookie = set.split(';')[0]!
      return response
    },
  })
  return { api: client, jar }
}

const admin = browser()
const api = admin.api
await api.login({ body: { email: 'bench@example.test', password: 'bench-password-1' } })
await api.acceptAup({ body: { accept: true } })
const cookie = () => admin.jar.cookie

// 500 sequential submissions from 10 accounts (job creation is rate-limited to 60 per 10 min each).
const hex = () =>
  [...crypto.getRandomValues(new Uint8Array(20))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
const createTimes: number[] = []
for (let account = 0; account < 10; account++) {
  const submitter = account === 0 ? admin : browser()
  if (account > 0) {
    const { user } = await submitter.api.register({
      body: { email: `bench-${account}@example.test`, password: 'bench-password-1' },
    })
    await submitter.api.acceptAup({ body: { accept: true } })
    await api.adminUpdateUser({ params: { id: user.id }, body: { plan: 'enterprise' } })
  } else {
    await api.adminUpdateUser({
      params: { id: (await api.me()).user.id },
      body: { plan: 'enterprise' },
    })
  }
  for (let i = 0; i < 50; i++) {
    const started = performance.now()
    await submitter.api.createJob({
      body: { magnet: `magnet:?xt=urn:btih:${hex()}&dn=bench-${account}-${i}` },
    })
    createTimes.push(performance.now() - started)
  }
}

// SSE: one job, 100 subscribers, progress callbacks from the agent.
const agentId = 'bench-agent'
const secret = await deriveAgentSecret(SIGNING_KEY, agentId)
const signed = async (route: string, body: unknown) => {
  const text = JSON.stringify(body)
  return fetch(`${base}${route}`, {
    method: 'POST',
    headers: {
      ...(await signedHeaders(agentId, secret, {
        direction: 'agent-to-api',
        method: 'POST',
        path: route,
        body: text,
      })),
      'content-type': 'application/json',
    },
    body: text,
  })
}
await signed('/internal/agents/heartbeat', {
  agentId,
  url: agentUrl,
  capacity: 1000,
  activeJobs: 0,
  freeDiskBytes: 1e12,
  version: 'bench',
})
const infohash = hex()
const job = await api.createJob({ body: { magnet: `magnet:?xt=urn:btih:${infohash}&dn=sse` } })
while (!starts.includes(job.id)) await new Promise((r) => setTimeout(r, 100))
await new Promise((r) => setTimeout(r, 500))

const SUBSCRIBERS = 100
const received = new Map<number, number[]>()
const controllers: AbortController[] = []
await Promise.all(
  Array.from({ length: SUBSCRIBERS }, async () => {
    const controller = new AbortController()
    controllers.push(controller)
    const response = await fetch(`${base}/api/jobs/${job.id}/events`, {
      headers: { cookie: cookie() },
      signal: controller.signal,
    })
    ;(async () => {
      try {
        for await (const event of readEventStream(response.body!)) {
          if (event.event !== 'progress') continue
          const pct = JSON.parse(event.data).progressPct as number
          received.set(pct, [...(received.get(pct) ?? []), performance.now()])
        }
      } catch {
        // aborted at the end
      }
    })()
  }),
)
await new Promise((r) => setTimeout(r, 1000))
const deliveries: number[] = []
let seq = 0
await signed('/internal/jobs/callback', {
  jobId: job.id,
  attempt: 1,
  seq: ++seq,
  type: 'metadata_ready',
  infohash,
  name: 'sse',
  bytesTotal: 1000,
  files: [{ index: 0, path: 'sse.bin', size: 1000 }],
})
for (let round = 1; round <= 20; round++) {
  const sent = performance.now()
  await signed('/internal/jobs/callback', {
    jobId: job.id,
    attempt: 1,
    seq: ++seq,
    type: 'progress_update',
    phase: 'downloading',
    progressPct: round,
    bytesDownloaded: round * 10,
    bytesTotal: 1000,
    downloadSpeed: 1,
    uploadSpeed: 0,
    eta: 1,
    peers: 1,
    seeds: 1,
  })
  const deadline = performance.now() + 5000
  while ((received.get(round)?.length ?? 0) < SUBSCRIBERS && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 2))
  for (const at of received.get(round) ?? []) deliveries.push(at - sent)
}
for (const c of controllers) c.abort()

// Download throughput in the default mode (redirect to a presigned URL on the local S3 server).
const SIZE = 256 * 1024 * 1024
const body = new Uint8Array(SIZE)
for (let i = 0; i < SIZE; i += 65536) crypto.getRandomValues(body.subarray(i, i + 65536))
const s3client = new AwsClient({
  ...S3RVER_CREDENTIALS,
  region: 'auto',
  service: 's3',
})
await s3client.fetch(`${vars.S3_ENDPOINT}/tseeder/content/${infohash}/0`, { method: 'PUT', body })
await signed('/internal/jobs/callback', {
  jobId: job.id,
  attempt: 1,
  seq: ++seq,
  type: 'completed',
  files: [{ index: 0, path: 'sse.bin', size: SIZE, key: `content/${infohash}/0` }],
})
const { files } = await api.listJobFiles({ params: { id: job.id } })
const link = await api.createFileLink({ params: { id: files[0]!.id } })
const started = performance.now()
const download = await fetch(link.url, { headers: { cookie: cookie() } })
let bytes = 0
for await (const chunk of download.body!) bytes += (chunk as Uint8Array).length
const seconds = (performance.now() - started) / 1000

console.log(
  `POST /api/jobs, 500 sequential: median ${ms(percentile(createTimes, 50))}, p99 ${ms(percentile(createTimes, 99))}, max ${ms(Math.max(...createTimes))}`,
)
console.log(
  `SSE callback → subscriber, ${SUBSCRIBERS} subscribers × 20 events (${deliveries.length} deliveries): median ${ms(percentile(deliveries, 50))}, p99 ${ms(percentile(deliveries, 99))}, max ${ms(Math.max(...deliveries))}`,
)
console.log(
  `download via /dl/ (redirect to local S3), ${(bytes / 1e6).toFixed(0)} MB: ${(bytes / 1e6 / seconds).toFixed(0)} MB/s`,
)

process.kill(-worker.pid!, 'SIGTERM')
await new Promise((r) => setTimeout(r, 2000))
try {
  process.kill(-worker.pid!, 'SIGKILL')
} catch {
  // already gone
}
agentServer.close()
await s3.close()
await rm(state, { recursive: true, force: true })
process.exit(0)
