// npm start: tseeder on this machine, no Cloudflare account and no internet needed.
//
//   npm start [-- --port 8787] [--agents 1] [--s3-port 9000] [--host 127.0.0.1]
//
// Runs the Worker (wrangler dev: D1, Durable Objects, KV, Queues, cron), s3rver as the local R2
// and N compute agents, all on 127.0.0.1 (testkit/src/stack.ts, shared with the end-to-end tests). State
// (D1, Durable Objects, KV, stored objects, agent data, generated secrets) lives in .state/ and
// survives restarts. One Ctrl-C stops everything.
// Locally there is no TLS between the Worker and the agents, only signatures: see testkit/src/agents.ts.
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { killGroupsNow } from '@tseeder/testkit/processes'
import { BUCKET } from '@tseeder/testkit/s3'
import {
  FIRST_ADMIN,
  launchStack,
  type LaunchingStack,
  type Stack,
  StackError,
} from '@tseeder/testkit/stack'

const root = resolve(import.meta.dirname, '..')
const stateDir = join(root, '.state')

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    agents: { type: 'string', default: '1' },
    's3-port': { type: 'string', default: '9000' },
  },
})

let launching: LaunchingStack | null = null
let stopping = false

/** Stops the agents (they drain), then the Worker, then s3rver, and exits. */
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    if (launching?.children().length) console.log('\nStopping tseeder…')
    await launching?.stop()
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
process.on('exit', () => killGroupsNow(launching?.children() ?? []))

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

async function checkPrerequisites() {
  const [major, minor] = process.versions.node.split('.').map(Number)
  if (major! < 20 || (major === 20 && minor! < 19))
    await fail(`Node ≥ 20.19 is required (this is ${process.version}).`)
  const port = Number(values.port)
  const agents = Number(values.agents)
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    await fail(`--port ${values.port} is not a port.`)
  if (!Number.isInteger(agents) || agents < 0 || agents > 16)
    await fail(`--agents ${values.agents} must be a whole number from 0 to 16.`)
}

function printStatus(stack: Stack) {
  const rows: [string, string, string][] = [
    ['Worker (API + UI)', stack.url, 'OK'],
    ['D1, DOs, KV, Queues', '.state/wrangler', 'OK (local, persisted)'],
    ['S3 storage (s3rver)', stack.s3Endpoint, `OK (bucket ${BUCKET}, .state/s3)`],
    ...stack.agents.map((a): [string, string, string] => [a.id, a.url, 'OK (registered)']),
  ]
  if (stack.agents.length === 0)
    rows.push(['Compute agent', '-', 'none (--agents 0): jobs stay queued'])
  const first = Math.max(...rows.map((r) => r[0].length)) + 2
  const second = Math.max(...rows.map((r) => r[1].length)) + 2
  const line = (r: [string, string, string]) =>
    `  ${r[0].padEnd(first)}${r[1].padEnd(second)}${r[2]}`
  console.log(`\ntseeder is running — open ${stack.url}\n`)
  console.log(line(['component', 'address', 'status']))
  for (const row of rows) console.log(line(row))
  console.log('')
  if (stack.admin) {
    console.log(`First admin (shown this once, stored only as a hash in D1):`)
    console.log(`  email     ${FIRST_ADMIN}`)
    console.log(`  password  ${stack.admin.password}\n`)
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
launching = launchStack({
  stateDir,
  port: Number(values.port),
  host: values.host,
  agents: Number(values.agents),
  s3Port: Number(values['s3-port']),
  devVars: 'root',
  buildWebApp: 'always',
  log: (line) => console.log(line),
})
try {
  printStatus(await launching.ready)
} catch (error) {
  if (!stopping) {
    await fail(
      error instanceof StackError ? error.message : `Unexpected error: ${(error as Error).stack}`,
    )
  }
}
