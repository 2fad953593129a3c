// What the api benches share: the Worker under `wrangler dev` (local workerd) on a D1 of its own,
// a stand-in agent that accepts every /start, and the figures' formatting.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createOrPromoteAdmin } from '@tseeder/testkit/admin'
import { freePort } from '@tseeder/testkit/processes'
import { S3RVER_CREDENTIALS, startS3 } from '@tseeder/testkit/s3'

export const root = path.resolve(import.meta.dirname, '../..')
const wrangler = path.join(root, 'node_modules/.bin/wrangler')

/** wrangler without telemetry, banner or network lookups. */
export const quiet = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
}

export const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[
    Math.min(values.length - 1, Math.floor((p / 100) * values.length))
  ]!
export const ms = (n: number) => `${n.toFixed(1)} ms`

/** Applies the migrations to a local D1 kept in `persist`. */
export async function migrateLocalD1(persist: string): Promise<void> {
  const migrate = spawn(
    wrangler,
    ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist],
    { cwd: root, env: quiet, stdio: 'ignore' },
  )
  await new Promise((r) => migrate.once('exit', r))
}

export interface LocalWorker {
  base: string
  /** The `wrangler dev` process (its own process group). */
  process: ChildProcess
  stop(): Promise<void>
}

/**
 * Starts `wrangler dev` on a free port with `vars`, on the D1 in `persist`, and waits for
 * `/api/health`. It runs in its own process group, ended however the bench ends. `checkout`: the
 * root of the code to run (another checkout of the repository, to compare two builds in one run).
 */
export async function startLocalWorker(
  persist: string,
  vars: Record<string, string>,
  checkout = root,
): Promise<LocalWorker> {
  const port = await freePort('127.0.0.1')
  const child = spawn(
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
    {
      cwd: checkout,
      // Its debug log (every line it prints) beside the D1 it runs on, gone with it.
      env: { ...quiet, WRANGLER_LOG_PATH: path.join(persist, 'wrangler-logs') },
      stdio: 'ignore',
      detached: true,
    },
  )
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal)
    } catch {
      // already gone
    }
  }
  process.once('exit', () => kill('SIGKILL'))
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break
    } catch {
      if (i > 240) throw new Error('wrangler dev did not start')
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    base,
    process: child,
    async stop() {
      kill('SIGTERM')
      await new Promise((r) => setTimeout(r, 2000))
      kill('SIGKILL')
    },
  }
}

/** A stand-in agent that accepts every /start (answering the job as an agent sees it). */
export async function startStandInAgent() {
  const starts: string[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const { jobId, infohash } = JSON.parse(body) as { jobId: string; infohash: string }
      if (req.url?.endsWith('/start')) starts.push(jobId)
      const view = { jobId, infohash, status: 'metadata_fetch', progressPct: 0 }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(view))
    })
  }).listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    starts,
    close: () => server.close(),
  }
}

/** The `round`th progress report of a job: its `bytesDownloaded` (round × 10) tells rounds apart. */
export function progressCallback(jobId: string, seq: number, round: number) {
  return {
    jobId,
    attempt: 1,
    seq,
    type: 'progress_update',
    phase: 'downloading',
    progressPct: Math.min(round, 100),
    bytesDownloaded: round * 10,
    bytesTotal: 100_000,
    downloadSpeed: 1,
    uploadSpeed: 0,
    eta: 1,
    peers: 1,
    seeds: 1,
  }
}

/** The agent signing key of the bench stack (its stand-in agent signs callbacks with it). */
export const BENCH_SIGNING_KEY = 'bench-agent-signing-key'

/**
 * The whole bench stack: s3rver, a stand-in agent, and the Worker on a fresh D1 whose admin
 * (bench@example.test / bench-password-1) is made before it starts, as `npm run admin:create` does.
 */
export async function startBenchStack(name: string) {
  const state = await mkdtemp(path.join(tmpdir(), `tseeder-${name}-`))
  const s3 = await startS3()
  const agent = await startStandInAgent()
  const persist = path.join(state, 'wrangler')
  await migrateLocalD1(persist)
  await createOrPromoteAdmin(
    { remote: false, persistTo: persist },
    'bench@example.test',
    'bench-password-1',
    root,
  )
  const worker = await startLocalWorker(persist, {
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AGENT_SIGNING_KEY: BENCH_SIGNING_KEY,
    LINK_SIGNING_KEY: 'bench-link-key',
    STORED_SECRETS_KEY: 'bench-stored-secrets-key',
    TURNSTILE_SECRET: '',
    R2_API_TOKEN: '',
    VAPID_PRIVATE_KEY: '',
    ALERT_WEBHOOK_SECRET: '',
  })
  return {
    base: worker.base,
    /** `wrangler dev`'s pid, which is also its process group's (its workerd processes). */
    pid: worker.process.pid!,
    s3,
    agent,
    async stop() {
      await worker.stop()
      agent.close()
      await s3.close()
      await rm(state, { recursive: true, force: true })
    },
  }
}

/**
 * CPU ms so far of the processes of a `wrangler dev` (its process group `pid`): wrangler's Node
 * process (`node`: its request log, and every console line and DevTools Network event of a
 * subrequest that its inspector proxy forwards and appends to its debug log file), its proxy's
 * workerd (`proxy`: the port the benches call, and the inspector proxy) and the Worker's runtime
 * (`runtime`: the workerd with the inspector, running the Worker's isolate, its Durable Objects
 * and D1's). Under other load on the machine, CPU per answer moves far less than answers per
 * second do.
 */
export async function wranglerCpuMs(
  pid: number,
): Promise<{ total: number; node: number; proxy: number; runtime: number }> {
  const cpu = { total: 0, node: 0, proxy: 0, runtime: 0 }
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(fields[2]) !== pid) continue
    const ms = (Number(fields[11]) + Number(fields[12])) * 10
    cpu.total += ms
    if (stat.includes('(node)')) cpu.node += ms
    if (stat.includes('(workerd)')) cpu[(await workerdRole(entry)) ?? 'proxy'] += ms
  }
  return cpu
}

/**
 * The port of the Worker's own workerd (`runtime`) in the `wrangler dev` of process group `pid`:
 * the one of its listening sockets that answers `/api/health` (the others are its inspector's and
 * wrangler's internal ones). Requests there skip wrangler's proxy.
 */
export async function runtimePort(pid: number): Promise<string> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(fields[2]) !== pid || !stat.includes('(workerd)')) continue
    if ((await workerdRole(entry)) !== 'runtime') continue
    const inodes = new Set<string>()
    for (const fd of await readdir(`/proc/${entry}/fd`)) {
      const link = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '')
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1]
      if (inode) inodes.add(inode)
    }
    // /proc/PID/net/tcp: local address (hex ip:port) in column 2, state in 4 (0A: listening),
    // inode in 10.
    const table = await readFile(`/proc/${entry}/net/tcp`, 'utf8')
    for (const line of table.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/)
      if (columns[3] !== '0A' || !inodes.has(columns[9]!)) continue
      const port = String(parseInt(columns[1]!.split(':')[1]!, 16))
      const health = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null)
      if (health?.ok) return port
    }
  }
  throw new Error(`no workerd of process group ${pid} answers /api/health`)
}

const roles = new Map<string, Promise<'runtime' | 'proxy'>>()
const workerdRole = (pid: string) => {
  if (!roles.has(pid))
    roles.set(
      pid,
      readFile(`/proc/${pid}/cmdline`, 'utf8').then((line) =>
        line.includes('--inspector-addr') ? 'runtime' : 'proxy',
      ),
    )
  return roles.get(pid)!
}
