// npm run bench -w api: the Worker under `wrangler dev` (local workerd), measured from outside.
// Prints POST /api/jobs latency (500 sequential requests), SSE delivery latency from an agent
// callback to 100 subscribers, and download throughput through /dl/ in the default mode.
import { AwsClient } from 'aws4fetch'
import { createClient, deriveAgentSecret, readEventStream, signedHeaders } from '@tseeder/shared'
import { S3RVER_CREDENTIALS } from '@tseeder/testkit/s3'
import {
  BENCH_SIGNING_KEY,
  ms,
  percentile,
  progressCallback,
  startBenchStack,
} from './local-worker.ts'

const stack = await startBenchStack('bench')
const { base, s3, agent } = stack
const { starts } = agent
const agentUrl = agent.url

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
const secret = await deriveAgentSecret(BENCH_SIGNING_KEY, agentId)
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
  await signed('/internal/jobs/callback', progressCallback(job.id, ++seq, round))
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
await s3client.fetch(`${s3.endpoint}/tseeder/content/${infohash}/0`, { method: 'PUT', body })
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

await stack.stop()
process.exit(0)
