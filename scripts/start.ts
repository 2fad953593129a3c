// npm start: tseeder on this machine, no Cloudflare account and no internet needed.
//
//   npm start [-- --port 8787] [--agents 1] [--s3-port 9000] [--host 127.0.0.1]
//
// Runs the Worker (wrangler dev: D1, Durable Objects, KV, Queues, cron), s3rver as the local R2
// and N compute agents, all on 127.0.0.1. State (D1, Durable Objects, KV, stored objects, agent
// data, generated secrets) lives in .state/ and survives restarts. One Ctrl-C stops everything.
// Locally there is no TLS between the Worker and the agents, only signatures: see lib/agents.ts.
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { deriveAgentSecret } from '@tseeder/shared'
import { anyAdminExists, createOrPromoteAdmin, d1, type D1Target } from './lib/admin.ts'
import { SupervisedAgent } from './lib/agents.ts'
import {
  freePort,
  type GroupChild,
  isRunning,
  killGroupsNow,
  portIsFree,
  preferredPort,
  sleep,
  spawnGroup,
  stopGroup,
} from './lib/processes.ts'
import { BUCKET, type LocalS3, startLocalS3 } from './lib/s3.ts'
import { ensureSecrets, writeDevVars } from './lib/secrets.ts'

const root = resolve(import.meta.dirname, '..')
const stateDir = join(root, '.state')
const persistTo = join(stateDir, 'wrangler')
const logDir = join(stateDir, 'logs')
const local: D1Target = { remote: false, persistTo }
const FIRST_ADMIN = 'admin@tseeder.local'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    agents: { type: 'string', default: '1' },
    's3-port': { type: 'string', default: '9000' },
  },
})
const port = Number(values.port)
const host = values.host
const agentCount = Number(values.agents)
const url = `http://${host}:${port}`
const quiet = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
}

let s3: LocalS3 | null = null
let worker: GroupChild | null = null
const agents: SupervisedAgent[] = []
let stopping = false

/** Stops the agents (they drain), then the Worker, then s3rver, and exits. */
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    if (worker || agents.length) console.log('\nStopping tseeder…')
    await Promise.all(agents.map((agent) => agent.stop()))
    if (worker) await stopGroup(worker)
    await s3?.close().catch(() => {})
    process.exit(code)
  }
  return new Promise<never>(() => {})
}
process.on('SIGINT', () => void stopAll(0))
process.on('SIGTERM', () => void stopAll(0))
process.on('SIGHUP', () => void stopAll(0))
process.on('uncaughtException', (error) => void fail(`Unexpected error: ${error.stack ?? error}`))
process.on('unhandledRejection', (error) => void fail(`Unexpected error: ${String(error)}`))
// Whatever happens, no child outlives us.
process.on('exit', () =>
  killGroupsNow([
    ...(worker ? [worker] : []),
    ...agents.flatMap((a) => (a.child ? [a.child] : [])),
  ]),
)

/**
 * `npm start` runs us as npm → sh → tsx → this process. A SIGTERM sent to npm alone kills the
 * shell but never reaches us (and npm passes a lone SIGINT only to the shell, which waits): so when
 * one of those ancestors is gone, stop everything rather than linger. (Ctrl-C in a terminal
 * signals the whole foreground group and needs none of this.)
 */
function stopWhenOrphaned() {
  const ancestors = [process.ppid]
  const grandparent = spawnSync('ps', ['-o', 'ppid=', '-p', String(process.ppid)], {
    encoding: 'utf8',
  }).stdout
  if (Number(grandparent) > 1) ancestors.push(Number(grandparent))
  const timer = setInterval(() => {
    for (const pid of ancestors) {
      try {
        process.kill(pid, 0)
      } catch {
        console.log(`\nThe process that started tseeder (pid ${pid}) is gone.`)
        void stopAll(0)
        return
      }
    }
  }, 1_000)
  timer.unref()
}

async function fail(message: string): Promise<never> {
  console.error(`\n✖ ${message}`)
  return stopAll(1)
}

function run(step: string, command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: root, env: quiet, encoding: 'utf8' })
  if (result.status !== 0) {
    return fail(`${step} failed:\n${result.error?.message ?? ''}${result.stderr || result.stdout}`)
  }
}

async function checkPrerequisites() {
  const [major, minor] = process.versions.node.split('.').map(Number)
  if (major! < 20 || (major === 20 && minor! < 19))
    await fail(`Node ≥ 20.19 is required (this is ${process.version}).`)
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    await fail(`--port ${values.port} is not a port.`)
  if (!Number.isInteger(agentCount) || agentCount < 0 || agentCount > 16)
    await fail(`--agents ${values.agents} must be a whole number from 0 to 16.`)
  if (!(await portIsFree(port, host)))
    await fail(
      `Port ${port} on ${host} is taken (another tseeder, or a lingering workerd: \`pgrep -fa workerd\`). ` +
        'Stop what uses it or pass --port.',
    )
}

/** The first admin, only when the database has no admin at all; the password is printed once. */
async function ensureFirstAdmin(): Promise<string | null> {
  try {
    if (await anyAdminExists(local, root)) return null
    const result = await createOrPromoteAdmin(local, FIRST_ADMIN, undefined, root)
    return result.created ? result.password : null
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string }
    const output = [stderr, stdout].filter(Boolean).join('\n')
    return fail(`Creating the first admin failed:\n${output || error}`)
  }
}

async function startS3(): Promise<LocalS3> {
  const wanted = Number(values['s3-port'])
  const s3Port = await preferredPort(wanted, host)
  if (s3Port !== wanted) console.log(`Port ${wanted} is taken; the local S3 server uses ${s3Port}.`)
  try {
    return await startLocalS3({
      host,
      port: s3Port,
      directory: join(stateDir, 's3'),
      corsOrigins: [url, `http://localhost:${port}`],
    })
  } catch (error) {
    return fail(
      `The local S3 server (s3rver) could not start on ${host}:${s3Port}: ${(error as Error).message}`,
    )
  }
}

async function waitForHealth(child: GroupChild, healthUrl: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isRunning(child)) return false
    // wrangler dev keeps running after a build error, waiting for a file to change.
    if (child.tail.some((line) => line.includes('Build failed'))) return false
    try {
      if ((await fetch(healthUrl)).ok) return true
    } catch {
      // not listening yet
    }
    await sleep(250)
  }
  return false
}

/** Successful heartbeats and health checks: in .state/logs/worker.log, not on the console. */
function isRoutine(line: string): boolean {
  return (
    /\/internal\/agents\/heartbeat|\/api\/health/.test(line) &&
    (line.includes(' 200 OK') || line.includes('"status":200'))
  )
}

async function startWorker(s3Endpoint: string, vapidPublicKey: string): Promise<GroupChild> {
  const inspectorPort = await preferredPort(9229, host)
  const child = spawnGroup(
    'worker',
    join(root, 'node_modules', '.bin', 'wrangler'),
    [
      'dev',
      '--local',
      '--ip',
      host,
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      '--persist-to',
      persistTo,
      '--test-scheduled',
      '--var',
      `S3_ENDPOINT:${s3Endpoint}`,
      '--var',
      `VAPID_PUBLIC_KEY:${vapidPublicKey}`,
    ],
    { cwd: root, env: quiet, logFile: join(logDir, 'worker.log') },
  )
  worker = child
  if (!(await waitForHealth(child, `${url}/api/health`, 90_000))) {
    const why = isRunning(child)
      ? 'did not answer /api/health within 90 s'
      : `exited (${await child.exited})`
    await fail(`The Worker (wrangler dev) ${why}:\n${child.tail.join('\n')}`)
  }
  child.show((line) => {
    if (!isRoutine(line)) console.log(`[worker] ${line}`)
  })
  return child
}

async function startAgents(signingKey: string) {
  const used = new Set<number>()
  for (let i = 1; i <= agentCount; i++) {
    const id = `local-agent-${i}`
    let agentPort = await freePort(host)
    while (used.has(agentPort)) agentPort = await freePort(host)
    used.add(agentPort)
    const agent = new SupervisedAgent(
      {
        id,
        host,
        port: agentPort,
        apiUrl: url,
        secret: await deriveAgentSecret(signingKey, id),
        dataDir: join(stateDir, 'agents', id),
      },
      root,
      logDir,
      (line) => console.log(line),
    )
    agents.push(agent)
    agent.start()
  }
  for (const agent of agents) {
    try {
      await agent.waitHealthy(30_000)
    } catch (error) {
      await fail((error as Error).message)
    }
    agent.echoOutput()
  }
}

/** Waits until every agent's heartbeat since `since` is in D1 (the Worker accepted it). */
async function waitForRegistration(since: number, timeoutMs: number) {
  const ids = agents.map((a) => a.options.id)
  const deadline = Date.now() + timeoutMs
  let missing = ids
  while (Date.now() < deadline) {
    const rows = await d1(local, 'SELECT id, last_heartbeat_at FROM agents', root).catch(() => [])
    const fresh = new Set(
      rows.filter((r) => Number(r.last_heartbeat_at) >= since).map((r) => String(r.id)),
    )
    missing = ids.filter((id) => !fresh.has(id))
    if (missing.length === 0) return
    await sleep(1_000)
  }
  await fail(
    `No accepted heartbeat from ${missing.join(', ')} within ${timeoutMs / 1000} s. ` +
      'Look for "heartbeat refused" (a signature or clock problem) or "heartbeat failed" above.',
  )
}

function printStatus(s3Endpoint: string, adminPassword: string | null) {
  const rows: [string, string, string][] = [
    ['Worker (API + UI)', url, 'OK'],
    ['D1, DOs, KV, Queues', '.state/wrangler', 'OK (local, persisted)'],
    ['S3 storage (s3rver)', s3Endpoint, `OK (bucket ${BUCKET}, .state/s3)`],
    ...agents.map((a): [string, string, string] => [a.options.id, a.url, 'OK (registered)']),
  ]
  if (agents.length === 0) rows.push(['Compute agent', '-', 'none (--agents 0): jobs stay queued'])
  const first = Math.max(...rows.map((r) => r[0].length)) + 2
  const second = Math.max(...rows.map((r) => r[1].length)) + 2
  const line = (r: [string, string, string]) =>
    `  ${r[0].padEnd(first)}${r[1].padEnd(second)}${r[2]}`
  console.log(`\ntseeder is running — open ${url}\n`)
  console.log(line(['component', 'address', 'status']))
  for (const row of rows) console.log(line(row))
  console.log('')
  if (adminPassword) {
    console.log(`First admin (shown this once, stored only as a hash in D1):`)
    console.log(`  email     ${FIRST_ADMIN}`)
    console.log(`  password  ${adminPassword}\n`)
  } else {
    console.log(
      'Sign in with your admin account (another one: npm run admin:create -- you@example.com).',
    )
  }
  console.log('Try it offline: `npm run demo` in another terminal prints a magnet link to add.')
  console.log('Stop everything with Ctrl-C.\n')
}

stopWhenOrphaned()
await checkPrerequisites()
const secrets = await ensureSecrets(stateDir)
writeDevVars(root, secrets)
await run('Building the web app', 'npm', ['run', 'build', '-w', '@tseeder/pwa'])
await run('Applying D1 migrations', join(root, 'node_modules', '.bin', 'wrangler'), [
  'd1',
  'migrations',
  'apply',
  'DB',
  '--local',
  '--persist-to',
  persistTo,
])
const adminPassword = await ensureFirstAdmin()
s3 = await startS3()
await startWorker(s3.endpoint, secrets.VAPID_PUBLIC_KEY)
const agentsStartedAt = Date.now()
await startAgents(secrets.AGENT_SIGNING_KEY)
if (agents.length) await waitForRegistration(agentsStartedAt - 1_000, 60_000)
printStatus(s3.endpoint, adminPassword)
