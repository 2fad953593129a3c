// npm run bench -w api (after pipeline.ts): the Worker under `wrangler dev` (local workerd),
// measured from outside. Opens FANOUT_SUBSCRIBERS (500) streams on one job's
// /api/jobs/:id/events, drives FANOUT_EVENTS (1000) progress events through signed agent
// callbacks, and prints the spread between the first and the last subscriber receiving each
// event (p50/p99/max), and whether every subscriber got every event, in order.
// Each event is sent once the previous one reached every subscriber (or 10 s passed).
// FANOUT_VIA (proxy,runtime): measured through `wrangler dev`'s port, as `npm start` serves the
// streams, then again with the streams opened at the Worker's own workerd (past wrangler's proxy).
import { connect, type Socket } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { AGENT_HEARTBEAT_MS, createClient, deriveAgentSecret, signedHeaders } from '@tseeder/shared'
import {
  BENCH_SIGNING_KEY,
  ms,
  percentile,
  progressCallback,
  runtimePort,
  startBenchStack,
  wranglerCpuMs,
} from './local-worker.ts'

const SUBSCRIBERS = Number(process.env.FANOUT_SUBSCRIBERS ?? 500)
// 1000: the p99 of 200 events is their third largest, so two or three coincidences with other
// work on the two cores (an agent heartbeat, a collection) decided it: seven runs of 200 ranged
// 37.6–53.1 ms through the port, three of 1000 37.6–41.1 ms. Of 1000 it is the tenth largest.
const EVENTS = Number(process.env.FANOUT_EVENTS ?? 1000)
/** Events sent first and not timed (the first after 500 streams open pays for their setup). */
const WARMUP = Number(process.env.FANOUT_WARMUP ?? 1)

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
// The agent keeps heartbeating, or the watchdog takes its job away mid-run: at an agent's own
// interval, as each heartbeat (a few D1 calls and a fill of the line) shares the cores with the
// fan-out it may land in.
let beats = 0
const heartbeats = setInterval(() => {
  beats++
  void heartbeat(1).catch(() => undefined)
}, AGENT_HEARTBEAT_MS)
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
// While events flow, each socket only stamps and keeps its chunks and counts the progress events
// in them (a native byte search): on one thread, 500 streams' parsing (and the garbage it makes)
// would delay the later chunks of a burst by the client's own work, which the spread would count.
// The chunks are parsed once the run is over: `arrivalsOf` gives, per progress event (keyed by
// its bytesDownloaded), when its last byte came.
const MARK = Buffer.from('event: progress\n')

/** When each progress event's last byte reached a subscriber, and their order. */
function arrivalsOf(chunks: { at: number; chunk: Buffer }[]) {
  const arrived = new Map<number, number>()
  const order: number[] = []
  let wire = ''
  let body = ''
  for (const { at, chunk } of chunks) {
    wire += chunk.toString('latin1')
    // The payload of the complete HTTP chunks in `wire` (a frame may span several).
    for (;;) {
      const line = wire.indexOf('\r\n')
      if (line < 0) break
      const size = parseInt(wire.slice(0, line), 16)
      if (wire.length < line + 2 + size + 2) break
      body += wire.slice(line + 2, line + 2 + size)
      wire = wire.slice(line + 2 + size + 2)
    }
    const frames = body.split('\n\n')
    body = frames.pop()!
    for (const frame of frames) {
      const bytes = /^event: progress\ndata: .*"bytesDownloaded":(\d+)/m.exec(frame)?.[1]
      if (bytes === undefined) continue
      arrived.set(Number(bytes) / 10, at)
      order.push(Number(bytes) / 10)
    }
  }
  return { arrived, order }
}

/**
 * Opens SUBSCRIBERS streams at `port`, sends WARMUP + EVENTS progress events (rounds numbered
 * from `first`), checks that every stream got each of them in order, and prints the figures.
 * Returns whether every stream got every event.
 */
async function measure(label: string, port: string, first: number): Promise<boolean> {
  const received = Array.from({ length: SUBSCRIBERS }, () => [] as { at: number; chunk: Buffer }[])
  const seen = new Int32Array(SUBSCRIBERS)
  const rounds = WARMUP + EVENTS
  /** `reached[r]`: how many subscribers have had `r` of this run's progress events. */
  const reached = new Int32Array(rounds + 2)
  const request = `GET /api/jobs/${job.id}/events HTTP/1.1\r\nHost: ${hostname}:${port}\r\nCookie: ${cookie}\r\nAccept: text/event-stream\r\n\r\n`
  const sockets: Socket[] = []
  // The client's own time in its data handlers (all subscribers), to tell its share of a spread.
  let clientBusy = 0
  let opened = 0
  await Promise.all(
    received.map(
      (chunks, i) =>
        new Promise<void>((resolve, reject) => {
          // A bare socket, not node:http (whose parser and stream plumbing cost the client more).
          const socket = connect({ host: hostname, port: Number(port), noDelay: true })
          sockets.push(socket)
          let head: Buffer | null = Buffer.alloc(0)
          socket.once('error', reject)
          socket.on('data', (chunk: Buffer) => {
            const at = performance.now()
            if (head) {
              head = Buffer.concat([head, chunk])
              const end = head.indexOf('\r\n\r\n')
              if (end < 0) return
              if (!head.toString('latin1', 0, 13).startsWith('HTTP/1.1 200 ')) {
                reject(new Error(`stream ${i}: ${head.toString('latin1').split('\r\n')[0]}`))
                return
              }
              chunk = head.subarray(end + 4)
              head = null
              opened++
              socket.removeListener('error', reject)
              socket.on('error', () => undefined)
              resolve()
            }
            chunks.push({ at, chunk })
            // A mark split across two chunks is missed here (the wait below then times out after
            // 10 s) but not in the parse afterwards, which reports every event.
            for (let from = chunk.indexOf(MARK); from >= 0; from = chunk.indexOf(MARK, from + 1)) {
              reached[++seen[i]!]!++
            }
            clientBusy += performance.now() - at
          })
          socket.write(request)
        }),
    ),
  )
  await sleep(1000)
  // What each stream counted so far is its replay (the job's last event of each type).
  seen.fill(0)

  const spreads: number[] = []
  const latencies: number[] = []
  const clientTimes: number[] = []
  const sentAt: number[] = []
  const loadBefore = loadavg()
  let cpuBefore = await wranglerCpuMs(stack.pid)
  let beatsBefore = beats
  for (let round = 1; round <= rounds; round++) {
    // The first WARMUP events are sent and checked like the others, but not timed.
    if (round === WARMUP + 1) {
      cpuBefore = await wranglerCpuMs(stack.pid)
      beatsBefore = beats
    }
    const sent = performance.now()
    const busyBefore = clientBusy
    await signed('/internal/jobs/callback', progressCallback(job.id, ++seq, first + round))
    const deadline = performance.now() + 10_000
    while (reached[round]! < SUBSCRIBERS && performance.now() < deadline) await sleep(2)
    sentAt[round] = sent
    if (round > WARMUP) clientTimes.push(clientBusy - busyBefore)
  }
  const cpuAfter = await wranglerCpuMs(stack.pid)
  const beatsMeanwhile = beats - beatsBefore
  for (const socket of sockets) socket.destroy()

  // Each stream's replay may hold the previous run's events: only this run's are compared.
  const expected = Array.from({ length: rounds }, (_, i) => first + i + 1).join()
  let complete = 0
  const parsed = received.map(arrivalsOf)
  for (const { order } of parsed) if (order.filter((r) => r > first).join() === expected) complete++
  for (let round = WARMUP + 1; round <= rounds; round++) {
    const times = parsed.flatMap(({ arrived }) => arrived.get(first + round) ?? [])
    if (times.length === 0) continue
    spreads.push(Math.max(...times) - Math.min(...times))
    latencies.push(Math.max(...times) - sentAt[round]!)
  }
  console.log(
    `SSE fan-out ${label}: ${SUBSCRIBERS} subscribers (${opened} opened) on one job × ${EVENTS} progress events (after ${WARMUP} not timed; ${beatsMeanwhile} agent heartbeats meanwhile), ${cpus().length} cores, load average ${loadBefore[0]!.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}:`,
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
  const perEvent = (part: keyof typeof cpuAfter) =>
    `${((cpuAfter[part] - cpuBefore[part]) / EVENTS).toFixed(1)} ms`
  console.log(
    `  CPU per event of the Worker's processes: ${perEvent('total')}, of which wrangler's Node process ${perEvent('node')}, its proxy's workerd ${perEvent('proxy')}, the Worker's own workerd ${perEvent('runtime')}`,
  )
  console.log(
    `  every event, in order: ${complete}/${SUBSCRIBERS} subscribers${complete === SUBSCRIBERS ? '' : ' — MISSING OR OUT OF ORDER'}`,
  )
  return complete === SUBSCRIBERS
}

const { hostname, port } = new URL(base)
// First as `npm start` serves them: through `wrangler dev`'s port, which is its proxy's (a second
// workerd that relays every chunk of every stream, on the same two cores). Then at the Worker's
// own workerd, the way Cloudflare's edge reaches a Worker: the difference is the dev proxy's.
const VIAS = (process.env.FANOUT_VIA ?? 'proxy,runtime').split(',')
// Events are told apart by bytesDownloaded (round × 10) of a 100,000-byte job.
if (VIAS.length * (WARMUP + EVENTS) > 10_000)
  throw new Error('FANOUT_WARMUP + FANOUT_EVENTS: at most 10,000 in all')
let complete = true
for (const [i, via] of VIAS.entries()) {
  const at = via === 'runtime' ? await runtimePort(stack.pid) : port
  const label =
    via === 'runtime'
      ? `at the Worker's own workerd (:${at})`
      : `through wrangler dev's port (:${at})`
  complete = (await measure(label, at, i * (WARMUP + EVENTS))) && complete
}
clearInterval(heartbeats)
await stack.stop()
process.exit(complete ? 0 : 1)
