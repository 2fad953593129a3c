// The whole local system in one call: s3rver, the Worker under `wrangler dev` (D1, Durable
// Objects, KV, Queues, cron), N supervised compute agents and the first admin. `npm start`
// (scripts/start.ts) and the end-to-end tests (e2e/) both start it through `startStack`.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { deriveAgentSecret } from '@tseeder/shared'
import { anyAdminExists, createOrPromoteAdmin, d1, type D1Target } from './admin.ts'
import { SupervisedAgent } from './agents.ts'
import { tidyLogs, wranglerLogDir } from './logs.ts'
import {
  freePort,
  type GroupChild,
  isRunning,
  portIsFree,
  preferredPort,
  sleep,
  spawnGroup,
  stopGroup,
} from './processes.ts'
import { type LocalS3, startLocalS3 } from './s3.ts'
import { ensureSecrets, writeDevVars } from './secrets.ts'

export const FIRST_ADMIN = 'admin@tseeder.local'
const repoRoot = resolve(import.meta.dirname, '..', '..')

/** A startup problem with a message meant for a person (port taken, a step that failed…). */
export class StackError extends Error {
  override readonly name = 'StackError'
}

export interface StackOptions {
  /** Secrets, D1/DO/KV state, stored objects, agent data and logs. */
  stateDir: string
  /** The Worker's port (0: any free one). */
  port: number
  /** The preferred s3rver port (0 or taken: any free one). */
  s3Port: number
  agents: number
  host?: string
  /**
   * Where the Worker's secrets file goes: `root` writes the repository's `.dev.vars` (what plain
   * `wrangler dev` reads, so `npm start`); `state` writes `<stateDir>/.dev.vars` and passes it
   * with `--env-file`, and keeps wrangler's dev registry in the state folder too, so a stack
   * (the tests') shares nothing with a developer's running one.
   */
  devVars?: 'root' | 'state'
  /** `always` (npm start) or only when `pwa/dist` is missing (tests: `npm test` built it). */
  buildWebApp?: 'always' | 'if-missing'
  /** Extra `--var NAME:value` overrides for the Worker. */
  extraVars?: Record<string, string>
  /** Extra `AGENT_*` variables for every agent. */
  agentEnv?: Record<string, string>
  /** Each line the Worker and agents print after startup, and stack messages; none when absent. */
  log?: (line: string) => void
  /** Called before each slow step, for a progress line. */
  onStep?: (step: string) => void
}

export interface StackAgent {
  id: string
  port: number
  url: string
  supervisor: SupervisedAgent
}

export interface Stack {
  url: string
  host: string
  port: number
  stateDir: string
  s3Endpoint: string
  agents: StackAgent[]
  /** The first admin, when this start created it (the password is known only now). */
  admin: { email: string; password: string } | null
  /** Agents first, then the Worker, then s3rver. Safe to call more than once. */
  stop(): Promise<void>
  /** SIGKILLs an agent's process group, for good: its supervisor does not restart it. */
  killAgent(id: string): Promise<void>
  /** Every child process group still alive, for a synchronous last-resort kill. */
  children(): GroupChild[]
}

export const quietEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
})

/** Successful heartbeats and health checks: in the worker log, not on the console. */
export function isRoutine(line: string): boolean {
  return (
    /\/internal\/agents\/heartbeat|\/api\/health/.test(line) &&
    (line.includes(' 200 OK') || line.includes('"status":200'))
  )
}

/** A stack being started: `stop()` and `children()` work from the first moment on. */
export interface LaunchingStack {
  ready: Promise<Stack>
  stop(): Promise<void>
  children(): GroupChild[]
}

/**
 * Starts the stack; on any failure stops what it started and throws (a `StackError` carries the
 * reason to print). The caller owns the result and must `stop()` it.
 */
export function startStack(options: StackOptions): Promise<Stack> {
  return launchStack(options).ready
}

/** Like `startStack`, with a handle to stop the stack while it is still starting (Ctrl-C). */
export function launchStack(options: StackOptions): LaunchingStack {
  const host = options.host ?? '127.0.0.1'
  const stateDir = resolve(options.stateDir)
  const persistTo = join(stateDir, 'wrangler')
  const logDir = join(stateDir, 'logs')
  const local: D1Target = { remote: false, persistTo }
  const isolated = options.devVars === 'state'
  tidyLogs(logDir)
  const env: NodeJS.ProcessEnv = {
    ...quietEnv(),
    // Wrangler's own debug logs, with the stack's (pruned at each start), not in the home folder.
    WRANGLER_LOG_PATH: wranglerLogDir(logDir),
    ...(isolated ? { WRANGLER_REGISTRY_PATH: join(stateDir, 'wrangler-registry') } : {}),
  }
  const log = options.log ?? (() => {})

  let s3: LocalS3 | null = null
  let worker: GroupChild | null = null
  const agents: SupervisedAgent[] = []
  let stopped: Promise<void> | null = null
  const stop = () =>
    (stopped ??= (async () => {
      await Promise.all(agents.map((agent) => agent.stop()))
      if (worker) await stopGroup(worker)
      await s3?.close().catch(() => {})
    })())
  const children = () => [
    ...(worker ? [worker] : []),
    ...agents.flatMap((a) => (a.child ? [a.child] : [])),
  ]

  const notStopped = () => {
    if (stopped) throw new StackError('Stopped while starting.')
  }

  const ready = (async (): Promise<Stack> => {
    try {
      if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535)
        throw new StackError(`--port ${options.port} is not a port.`)
      if (!Number.isInteger(options.agents) || options.agents < 0 || options.agents > 16)
        throw new StackError(`--agents ${options.agents} must be a whole number from 0 to 16.`)
      const port = options.port === 0 ? await freePort(host) : options.port
      if (!(await portIsFree(port, host)))
        throw new StackError(
          `Port ${port} on ${host} is taken (another tseeder, or a lingering workerd: \`pgrep -fa workerd\`). ` +
            'Stop what uses it or pass --port.',
        )
      const url = `http://${host}:${port}`

      const secrets = await ensureSecrets(stateDir)
      const envFile = isolated ? join(stateDir, '.dev.vars') : null
      writeDevVars(isolated ? stateDir : repoRoot, secrets)

      const run = (step: string, command: string, args: string[]) => {
        options.onStep?.(step)
        const result = spawnSync(command, args, { cwd: repoRoot, env, encoding: 'utf8' })
        if (result.status !== 0)
          throw new StackError(
            `${step} failed:\n${result.error?.message ?? ''}${result.stderr || result.stdout}`,
          )
      }
      const wrangler = join(repoRoot, 'node_modules', '.bin', 'wrangler')
      if (
        options.buildWebApp !== 'if-missing' ||
        !existsSync(join(repoRoot, 'pwa', 'dist', 'index.html'))
      )
        run('Building the web app', 'npm', ['run', 'build', '-w', '@tseeder/pwa'])
      if (options.agents > 0)
        run('Building the agent', 'npm', ['run', 'build', '-w', '@tseeder/agent'])
      run('Applying D1 migrations', wrangler, [
        'd1',
        'migrations',
        'apply',
        'DB',
        '--local',
        '--persist-to',
        persistTo,
      ])

      // The first admin, only when the database has no admin at all.
      let admin: Stack['admin'] = null
      try {
        if (!(await anyAdminExists(local, repoRoot))) {
          const result = await createOrPromoteAdmin(local, FIRST_ADMIN, undefined, repoRoot)
          if (result.created) admin = { email: FIRST_ADMIN, password: result.password }
        }
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string }
        const output = [stderr, stdout].filter(Boolean).join('\n')
        throw new StackError(`Creating the first admin failed:\n${output || error}`)
      }

      // s3rver, the local R2.
      const s3Port = options.s3Port === 0 ? 0 : await preferredPort(options.s3Port, host)
      if (options.s3Port !== 0 && s3Port !== options.s3Port)
        log(`Port ${options.s3Port} is taken; the local S3 server uses ${s3Port}.`)
      try {
        s3 = await startLocalS3({
          host,
          port: s3Port,
          directory: join(stateDir, 's3'),
          corsOrigins: [url, `http://localhost:${port}`],
        })
      } catch (error) {
        throw new StackError(
          `The local S3 server (s3rver) could not start on ${host}:${s3Port}: ${(error as Error).message}`,
        )
      }

      // The Worker.
      notStopped()
      const inspectorPort = isolated ? await freePort(host) : await preferredPort(9229, host)
      const vars: Record<string, string> = {
        S3_ENDPOINT: s3.endpoint,
        VAPID_PUBLIC_KEY: secrets.VAPID_PUBLIC_KEY,
        ...options.extraVars,
      }
      worker = spawnGroup(
        'worker',
        wrangler,
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
          ...(envFile ? ['--env-file', envFile] : []),
          ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
        ],
        { cwd: repoRoot, env, logFile: join(logDir, 'worker.log') },
      )
      if (!(await waitForHealth(worker, `${url}/api/health`, 90_000))) {
        const why = isRunning(worker)
          ? 'did not answer /api/health within 90 s'
          : `exited (${await worker.exited})`
        throw new StackError(`The Worker (wrangler dev) ${why}:\n${worker.tail.join('\n')}`)
      }
      worker.show((line) => {
        if (!isRoutine(line)) log(`[worker] ${line}`)
      })

      // The agents.
      notStopped()
      const agentsStartedAt = Date.now()
      const used = new Set<number>()
      for (let i = 1; i <= options.agents; i++) {
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
            secret: await deriveAgentSecret(secrets.AGENT_SIGNING_KEY, id),
            dataDir: join(stateDir, 'agents', id),
            env: options.agentEnv,
          },
          repoRoot,
          logDir,
          log,
        )
        agents.push(agent)
        agent.start()
      }
      for (const agent of agents) {
        try {
          await agent.waitHealthy(30_000)
        } catch (error) {
          throw new StackError((error as Error).message)
        }
        agent.echoOutput()
      }
      if (agents.length) await waitForRegistration(agents, local, agentsStartedAt - 1_000, 60_000)

      return {
        url,
        host,
        port,
        stateDir,
        s3Endpoint: s3.endpoint,
        agents: agents.map((a) => ({
          id: a.options.id,
          port: a.options.port,
          url: a.url,
          supervisor: a,
        })),
        admin,
        stop,
        async killAgent(id) {
          const agent = agents.find((a) => a.options.id === id)
          if (!agent) throw new Error(`no agent ${id}`)
          await agent.kill()
        },
        children,
      }
    } catch (error) {
      await stop()
      throw error
    }
  })()
  return { ready, stop, children }
}

async function waitForHealth(child: GroupChild, healthUrl: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isRunning(child)) return false
    // wrangler dev keeps running after a build error, waiting for a file to change.
    if (child.tail.some((line) => line.includes('Build failed'))) return false
    try {
      // wrangler dev holds requests while its build is broken: ask again rather than wait.
      if ((await fetch(healthUrl, { signal: AbortSignal.timeout(2_000) })).ok) return true
    } catch {
      // not listening yet
    }
    await sleep(250)
  }
  return false
}

/** Waits until every agent's heartbeat since `since` is in D1 (the Worker accepted it). */
async function waitForRegistration(
  agents: SupervisedAgent[],
  local: D1Target,
  since: number,
  timeoutMs: number,
) {
  const ids = agents.map((a) => a.options.id)
  const deadline = Date.now() + timeoutMs
  let missing = ids
  while (Date.now() < deadline) {
    const rows = await d1(local, 'SELECT id, last_heartbeat_at FROM agents', repoRoot).catch(
      () => [],
    )
    const fresh = new Set(
      rows.filter((r) => Number(r.last_heartbeat_at) >= since).map((r) => String(r.id)),
    )
    missing = ids.filter((id) => !fresh.has(id))
    if (missing.length === 0) return
    await sleep(1_000)
  }
  throw new StackError(
    `No accepted heartbeat from ${missing.join(', ')} within ${timeoutMs / 1000} s. ` +
      'Look for "heartbeat refused" (a signature or clock problem) or "heartbeat failed" above.',
  )
}
