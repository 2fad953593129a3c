// npm run bench -w api (after pipeline.ts): the Worker under `wrangler dev` (local workerd),
// measured from outside. Opens FANOUT_SUBSCRIBERS (500) streams on one job's
// /api/jobs/:id/events, drives FANOUT_EVENTS (50) progress events through signed agent
// callbacks, and prints the spread between the first and the last subscriber receiving each
// event (p50/p99/max), and whether every subscriber got every event, in order.
// Each event is sent once the previous one reached every subscriber (or 10 s passed).
import { connect, type Socket } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { createClient, deriveAgentSecret, signedHeaders } from '@tseeder/shared'
import {
  BENCH_SIGNING_KEY,
  ms,
  percentile,
  progressCallback,
  startBenchStack,
} from './local-worker.ts'

const SUBSCRIBERS = Number(process.env.FANOUT_SUBSCRIBERS ?? 500)
const EVENTS = Number(process.env.FANOUT_EVENTS ?? 50)

const sleep = (t: number) => new Promise((r) => setTimeout(r, t))

const stack = await startBenchStack('fanout')
const { base, agent } = stack
const { starts } = agent
const agentUrl = agent.url
process.once('uncaughtException', (error) => {
  console.error(error)
  process.exit(1)
})
process.once('unhandledRejection', (error) => {
  console.error(error)
  process.exit(1)
})

let cookie = ''
const api = createClient({
  baseUrl: base,
  fetch: async (request) => {
    if (cookie) request.headers.set('cookie', cookie)
    const response = await fetch(request)
    const set = response.headers.get('set-cookie')
    if (set) cookie = set.split(';')[0]!
    return response
  },
})
await api.login({ body: { email: 'bench@example.test', password: 'bench-password-1' } })
await api.acceptAup({ body: { accept: true } })

const agentId = 'bench-agent'
const secret = await deriveAgentSecret(BENCH_SIGNING_KEY, agentId)
const signed = async (route: string, body: unknown) => {
  const text = JSON.stringify(body)
  const response = await fetch(`${base}${route}`, {
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
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`)
}
const heartbeat = (activeJobs: number) =>
  signed('/internal/agents/heartbeat', {
    agentId,
    url: agentUrl,
    capacity: 10,
    activeJobs,
    freeDiskBytes: 1e12,
    version: 'bench',
  })
await heartbeat(0)
// The agent keeps heartbeating, or the watchdog takes its job away mid-run.
const heartbeats = setInterval(() => void heartbeat(1).catch(() => undefined), 5000)
const hex = () =>
  [...crypto.getRandomValues(new Uint8Array(20))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
const infohash = hex()
const job = await api.createJob({ body: { magnet: `magnet:?xt=urn:btih:${infohash}&dn=fanout` } })
while (!starts.includes(job.id)) await sleep(100)
let seq = 0
await signed('/internal/jobs/callback', {
  jobId: job.id,
  attempt: 1,
  seq: ++seq,
  type: 'metadata_ready',
  infohash,
  name: 'fanout',
  bytesTotal: 1000,
  files: [{ index: 0, path: 'fanout.bin', size: 1000 }],
})

// The subscribers: all the same signed-in user (no per-user or per-IP stream limit applies).
// Each records, per progress event (keyed by progressPct), when it arrived.
const arrivals = Array.from({ length: SUBSCRIBERS }, () => new Map<number, number>())
const orders: number[][] = Array.from({ length: SUBSCRIBERS }, () => [])
const { hostname, port } = new URL(base)
const request = `GET /api/jobs/${job.id}/events HTTP/1.1\r\nHost: ${hostname}:${port}\r\nCookie: ${cookie}\r\nAccept: text/event-stream\r\n\r\n`
const sockets: Socket[] = []
// The client's own time in its data handlers (all subscribers), to tell its share of a spread.
let clientBusy = 0
let opened = 0
await Promise.all(
  arrivals.map(
    (arrived, i) =>
      new Promise<void>((resolve, reject) => {
        // A bare socket, not node:http: on one thread, 500 streams' HTTP parsing and stream
        // plumbing delay the later chunks of a burst by the client's own work, which the spread
        // would count. Each chunk is timed first thing, then de-chunked and scanned.
        const socket = connect({ host: hostname, port: Number(port), noDelay: true })
        sockets.push(socket)
        let wire = ''
        let body = ''
        let head = true
        socket.once('error', reject)
        socket.on('data', (chunk: Buffer) => {
          const at = performance.now()
          wire += chunk.toString('latin1')
          if (head) {
            const end = wire.indexOf('\r\n\r\n')
            if (end < 0) return
            if (!wire.startsWith('HTTP/1.1 200 ')) {
              reject(new Error(`stream ${i}: ${wire.split('\r\n')[0]}`))
              return
            }
            head = false
            wire = wire.slice(end + 4)
            opened++
            socket.removeListener('error', reject)
            socket.on('error', () => undefined)
            resolve()
          }
          body += dechunk()
          const frames = body.split('\n\n')
          body = frames.pop()!
          for (const frame of frames) {
            const pct = /^event: progress\ndata: .*"progressPct":(\d+)/m.exec(frame)?.[1]
            if (pct === undefined) continue
            arrived.set(Number(pct), at)
            orders[i]!.push(Number(pct))
          }
          clientBusy += performance.now() - at
        })
        socket.write(request)
        /** The payload of the complete HTTP chunks in `wire` (a frame may span several). */
        function dechunk(): string {
          let payload = ''
          for (;;) {
            const line = wire.indexOf('\r\n')
            if (line < 0) return payload
            const size = parseInt(wire.slice(0, line), 16)
            if (wire.length < line + 2 + size + 2) return payload
            payload += wire.slice(line + 2, line + 2 + size)
            wire = wire.slice(line + 2 + size + 2)
          }
        }
      }),
  ),
)
await sleep(1000)

const spreads: number[] = []
const latencies: number[] = []
const clientTimes: number[] = []
const loadBefore = loadavg()
for (let round = 1; round <= EVENTS; round++) {
  const sent = performance.now()
  const busyBefore = clientBusy
  await signed('/internal/jobs/callback', progressCallback(job.id, ++seq, round))
  const deadline = performance.now() + 10_000
  const count = () => arrivals.filter((a) => a.has(round)).length
  while (count() < SUBSCRIBERS && performance.now() < deadline) await sleep(2)
  const times = arrivals.flatMap((a) => (a.has(round) ? [a.get(round)!] : []))
  if (times.length === 0) continue
  spreads.push(Math.max(...times) - Math.min(...times))
  latencies.push(Math.max(...times) - sent)
  clientTimes.push(clientBusy - busyBefore)
}
for (const socket of sockets) socket.destroy()
clearInterval(heartbeats)

const expected = Array.from({ length: EVENTS }, (_, i) => i + 1)
const complete = orders.filter((o) => o.join() === expected.join()).length
console.log(
  `SSE fan-out, ${SUBSCRIBERS} subscribers (${opened} opened) on one job × ${EVENTS} progress events, ${cpus().length} cores, load average ${loadBefore[0]!.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}:`,
)
console.log(
  `  spread first → last subscriber: p50 ${ms(percentile(spreads, 50))}, p99 ${ms(percentile(spreads, 99))}, max ${ms(Math.max(...spreads))}`,
)
console.log(
  `  callback sent → last subscriber: p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}`,
)
console.log(
  `  the bench client's own handling of an event's chunks (all subscribers): p50 ${ms(percentile(clientTimes, 50))}, p99 ${ms(percentile(clientTimes, 99))}`,
)
console.log(
  `  every event, in order: ${complete}/${SUBSCRIBERS} subscribers${complete === SUBSCRIBERS ? '' : ' — MISSING OR OUT OF ORDER'}`,
)

await stack.stop()
process.exit(complete === SUBSCRIBERS ? 0 : 1)
