// npm run bench:list -w api (also part of `npm run bench -w api`): requests per second of an
// authenticated GET /api/jobs (a user with BENCH_JOBS jobs, session cookie) against /api/health,
// side by side in one run against `wrangler dev` (local workerd), with a fixed number of
// keep-alive connections. Rounds alternate health and list so drift hits both alike.
// BENCH_BASELINE=<other checkouts' roots> measures their code's Workers beside this one, in turns.
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import { cpus, loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { createClient } from '@tseeder/shared'
import { createOrPromoteAdmin, d1, sql } from '@tseeder/testkit/admin'
import { migrateLocalD1, root, startLocalWorker, wranglerCpuMs } from './local-worker.ts'

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const JOBS = Number(process.env.BENCH_JOBS ?? 20)

// BENCH_BASELINE: the roots of other checkouts (say, the commit before a change), comma-separated,
// whose Workers run beside this one, each on a D1 of its own seeded alike; each round then
// measures every one of them in turn.
const checkouts = [
  { label: 'this', root },
  ...(process.env.BENCH_BASELINE?.split(',').filter(Boolean) ?? []).map((checkout) => ({
    label: 'baseline',
    root: path.resolve(checkout),
  })),
]

// The user and their jobs are written straight into D1 before the Worker starts: what a
// dashboard shows after a while of use (mostly finished, a few running, none waiting in line).
const email = 'bench-list@example.test'
const password = 'bench-password-1'
const statuses = ['completed', 'completed', 'completed', 'downloading', 'paused'] as const
async function seed(persist: string) {
  await migrateLocalD1(persist)
  const target = { remote: false as const, persistTo: persist }
  await createOrPromoteAdmin(target, email, password, root)
  const [user] = await d1(target, `SELECT id FROM users WHERE email = ${sql(email)}`, root)
  const userId = String(user!.id)
  const now = Date.now()
  const jobs = Array.from({ length: JOBS }, (_, i) => {
    const status = statuses[i % statuses.length]!
    const infohash = (i + 1).toString(16).padStart(40, '0')
    const done = status === 'completed'
    return `INSERT INTO jobs (id, user_id, infohash, name, source, magnet, status, progress_pct,
        bytes_downloaded, bytes_total, stored_bytes, created_at, updated_at, completed_at)
      VALUES (${sql(crypto.randomUUID())}, ${sql(userId)}, ${sql(infohash)}, ${sql(`Bench job ${i + 1}`)},
        'magnet', ${sql(`magnet:?xt=urn:btih:${infohash}`)}, ${sql(status)}, ${done ? 100 : 42},
        ${done ? 1e9 : 42e7}, 1000000000, ${done ? 1e9 : 0}, ${now - (JOBS - i) * 60_000},
        ${now - (JOBS - i) * 30_000}, ${done ? now - (JOBS - i) * 30_000 : 'NULL'});`
  })
  await d1(
    target,
    `UPDATE users SET aup_accepted_at = ${now} WHERE id = ${sql(userId)}; ${jobs.join('\n')}`,
    root,
  )
}

// The secrets `wrangler dev` expects; nothing here reaches S3, an agent or a push service.
const vars = {
  S3_ACCESS_KEY_ID: 'bench',
  S3_SECRET_ACCESS_KEY: 'bench',
  AGENT_SIGNING_KEY: 'bench-agent-signing-key',
  LINK_SIGNING_KEY: 'bench-link-key',
  STORED_SECRETS_KEY: 'bench-stored-secrets-key',
  TURNSTILE_SECRET: '',
  R2_API_TOKEN: '',
  VAPID_PRIVATE_KEY: '',
  ALERT_WEBHOOK_SECRET: '',
}

const state = await mkdtemp(path.join(tmpdir(), 'tseeder-bench-list-'))
const servers = []
for (const [i, checkout] of checkouts.entries()) {
  const persist = path.join(state, `wrangler-${i}`)
  await seed(persist)
  const worker = await startLocalWorker(persist, vars, checkout.root)
  const { base } = worker
  let cookie = ''
  const api = createClient({
    baseUrl: base,
    fetch: async (request) => {
      const response = await fetch(request)
      const set = response.headers.get('set-cookie')
      if (set) cookie = set.split(';')[0]!
      return response
    },
  })
  await api.login({ body: { email, password } })
  const listed = await fetch(`${base}/api/jobs`, { headers: { cookie } })
  const shown = (await listed.json()) as { jobs: unknown[] }
  if (listed.status !== 200 || shown.jobs.length !== Math.min(JOBS, 50))
    throw new Error(`GET /api/jobs answered ${listed.status} with ${shown.jobs?.length} jobs`)
  servers.push({ ...checkout, worker, base, cookie })
}

// The load comes from node:http rather than fetch: fetch's streams cost the client several times
// the CPU per answer, and on 2 shared cores the client's work lands on the server's figure (more
// for the larger list answer than for health's). CONNECTIONS loops, each waiting for its answer
// before the next request, keep CONNECTIONS keep-alive sockets busy, as wrk -c does.
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })
function get(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers }, (response) => {
        response.on('data', () => {})
        response.on('end', () => resolve(response.statusCode ?? 0))
        response.on('error', reject)
      })
      .on('error', reject)
  })
}
// CPU per answer: see `wranglerCpuMs`.
async function load(pid: number, url: string, headers: Record<string, string>, seconds: number) {
  const cpuBefore = await wranglerCpuMs(pid)
  const clientBefore = process.cpuUsage()
  let done = 0
  let failed = 0
  const started = performance.now()
  const end = started + seconds * 1000
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        if ((await get(url, headers)) === 200) done++
        else failed++
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  const client = process.cpuUsage(clientBefore)
  const cpuAfter = await wranglerCpuMs(pid)
  return {
    done,
    failed,
    elapsed,
    cpuMs: cpuAfter.total - cpuBefore.total,
    nodeMs: cpuAfter.node - cpuBefore.node,
    runtimeMs: cpuAfter.runtime - cpuBefore.runtime,
    clientMs: (client.user + client.system) / 1000,
  }
}
type Load = Awaited<ReturnType<typeof load>>
const empty = (): Load => ({
  done: 0,
  failed: 0,
  elapsed: 0,
  cpuMs: 0,
  nodeMs: 0,
  runtimeMs: 0,
  clientMs: 0,
})
const runs = servers.map((server) => {
  const pid = server.worker.process.pid!
  return {
    ...server,
    health: (seconds = SECONDS) => load(pid, `${server.base}/api/health`, {}, seconds),
    list: (seconds = SECONDS) =>
      load(pid, `${server.base}/api/jobs`, { cookie: server.cookie }, seconds),
    totals: { health: empty(), list: empty() },
    ratios: [] as number[],
  }
})

for (const run of runs) {
  await run.health(1)
  await run.list(1)
}
const loadBefore = loadavg()
for (let round = 0; round < ROUNDS; round++) {
  // With several checkouts, which goes first turns, so none always follows the same other.
  for (const run of [...runs.slice(round % runs.length), ...runs.slice(0, round % runs.length)]) {
    const h = await run.health()
    const l = await run.list()
    for (const [sum, one] of [
      [run.totals.health, h],
      [run.totals.list, l],
    ] as const) {
      sum.done += one.done
      sum.failed += one.failed
      sum.elapsed += one.elapsed
      sum.cpuMs += one.cpuMs
      sum.nodeMs += one.nodeMs
      sum.runtimeMs += one.runtimeMs
      sum.clientMs += one.clientMs
    }
    run.ratios.push(l.done / l.elapsed / (h.done / h.elapsed))
  }
}
const rate = (t: { done: number; elapsed: number }) => t.done / t.elapsed
const cpu = (t: { done: number; cpuMs: number }) => t.cpuMs / t.done
const nodeCpu = (t: { done: number; nodeMs: number }) => t.nodeMs / t.done
const runtimeCpu = (t: { done: number; runtimeMs: number }) => t.runtimeMs / t.done
const clientCpu = (t: { done: number; clientMs: number }) => t.clientMs / t.done

console.log(
  `GET /api/jobs vs /api/health: ${CONNECTIONS} keep-alive connections, ${ROUNDS} rounds × ${SECONDS} s each, ${JOBS} jobs (${[...new Set(statuses)].join('/')}), session cookie; ${cpus().length} cores, Node ${process.version}, load average ${loadBefore[0]!.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`,
)
for (const run of runs) {
  if (runs.length > 1) console.log(`${run.label} (${run.root}):`)
  for (const [label, t] of [
    ['/api/health', run.totals.health],
    ['/api/jobs  ', run.totals.list],
  ] as const)
    console.log(
      `  ${label}: ${rate(t).toFixed(0)} req/s, Worker CPU ${cpu(t).toFixed(2)} ms per answer, of which wrangler's Node process ${nodeCpu(t).toFixed(2)} ms, its proxy's workerd ${(cpu(t) - nodeCpu(t) - runtimeCpu(t)).toFixed(2)} ms, the Worker's own workerd ${runtimeCpu(t).toFixed(2)} ms; the bench's client ${clientCpu(t).toFixed(2)} ms (${t.failed} not 200)`,
    )
  // Other work on a shared machine comes and goes between rounds: the median round is the figure
  // least moved by it; the ratio of the totals is printed beside it.
  const median = [...run.ratios].sort((a, b) => a - b)[Math.floor(run.ratios.length / 2)]!
  const ratio = rate(run.totals.list) / rate(run.totals.health)
  console.log(
    `  ratio: ${median.toFixed(2)}× median of rounds, ${ratio.toFixed(2)}× of totals (rounds: ${run.ratios.map((r) => r.toFixed(2)).join(', ')}; goal ≥ 0.5×)`,
  )
  console.log(
    `  Worker CPU per answer, health ÷ list: ${(cpu(run.totals.health) / cpu(run.totals.list)).toFixed(2)}× (the ratio the server alone would allow)`,
  )
}

for (const run of runs) await run.worker.stop()
agent.destroy()
await rm(state, { recursive: true, force: true })
process.exit(0)
