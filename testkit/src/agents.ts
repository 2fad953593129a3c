// Local compute agents for `npm start`: one child process each, restarted with a backoff when it
// crashes.
//
// What is and is not mTLS locally: nothing is. The Worker calls each agent over plain HTTP on
// 127.0.0.1 and the agents call the Worker over plain HTTP; both directions are authenticated
// only by the HMAC-SHA256 signature over direction, method, path, timestamp, nonce and body
// (shared/src/signing.ts) with a per-direction key from the agent's secret derived from
// AGENT_SIGNING_KEY; stale timestamps and reused nonces are refused.
// The Worker's client certificate comes from an `mtls_certificates` binding (AGENT_MTLS), which
// exists only on Cloudflare, so no dev TLS material is generated and the agents get no
// AGENT_TLS_*. In production the agent serves HTTPS and requires that client certificate
// (AGENT_TLS_CERT/KEY/CA, see DEPLOYMENT.md) on top of the same signatures.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { AGENT_NODE_ARGS } from '../../agent/node-args.ts'
import { type LocalAgentOptions, localAgentEnv } from './agent-env.ts'
import {
  formatPinoLine,
  type GroupChild,
  isRunning,
  killGroupsNow,
  sleep,
  spawnGroup,
  stopGroup,
} from './processes.ts'

const BACKOFF_START_MS = 1_000
const BACKOFF_MAX_MS = 30_000
/** A run this long counts as healthy: the next crash restarts after the shortest delay again. */
const STABLE_MS = 60_000

/** One agent process, restarted (1 s, 2 s, 4 s … 30 s) whenever it exits unasked. */
export class SupervisedAgent {
  child: GroupChild | null = null
  restarts = 0
  private stopping = false
  private echoing = false
  private failures = 0
  private restartTimer: NodeJS.Timeout | null = null

  constructor(
    readonly options: LocalAgentOptions,
    private readonly root: string,
    private readonly logDir: string,
    private readonly log: (line: string) => void,
  ) {}

  get url() {
    return `http://${this.options.host}:${this.options.port}`
  }

  start(): GroupChild {
    mkdirSync(this.options.dataDir, { recursive: true })
    const child = spawnGroup(
      this.options.id,
      process.execPath,
      // The bundle `npm run build -w @tseeder/agent` makes (the stack builds it first), as in production.
      [...AGENT_NODE_ARGS, join('dist', 'main.mjs')],
      {
        cwd: join(this.root, 'agent'),
        env: { ...process.env, ...localAgentEnv(this.options) },
        logFile: join(this.logDir, `${this.options.id}.log`),
      },
    )
    this.child = child
    if (this.echoing) this.echoOutput()
    const startedAt = Date.now()
    void child.exited.then((code) => {
      // Before the first healthy start, an exit is a startup failure that waitHealthy reports.
      if (this.stopping || this.child !== child || !this.echoing) return
      this.failures = Date.now() - startedAt > STABLE_MS ? 1 : this.failures + 1
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** (this.failures - 1))
      this.log(
        `[supervisor] ${this.options.id} exited (${code}); restarting in ${delay / 1000} s (restart #${this.restarts + 1})`,
      )
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null
        if (this.stopping) return
        this.restarts++
        this.start()
      }, delay)
    })
    return child
  }

  /**
   * Called once the agent first answered /health: from now on its output (and every restarted
   * process's) goes to the log, and an exit means a restart.
   */
  echoOutput() {
    this.echoing = true
    this.child?.show((line) => this.log(`[${this.options.id}] ${formatPinoLine(line)}`))
  }

  /** Resolves once `/health` answers; throws with the agent's output if it exits or times out. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const child = this.child!
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (!isRunning(child)) {
        const code = await child.exited
        throw new Error(
          `agent ${this.options.id} exited (${code}) while starting:\n${child.tail.join('\n')}`,
        )
      }
      try {
        if ((await fetch(`${this.url}/health`)).ok) return
      } catch {
        // not listening yet
      }
      await sleep(250)
    }
    throw new Error(
      `agent ${this.options.id} did not answer ${this.url}/health within ${timeoutMs / 1000} s:\n${child.tail.join('\n')}`,
    )
  }

  /** SIGKILL to the agent's process group, and no restart: a crash that stays down. */
  async kill(): Promise<void> {
    this.stopping = true
    if (this.restartTimer) clearTimeout(this.restartTimer)
    if (this.child) {
      killGroupsNow([this.child])
      await this.child.exited
    }
  }

  async stop(): Promise<void> {
    this.stopping = true
    if (this.restartTimer) clearTimeout(this.restartTimer)
    if (this.child) await stopGroup(this.child, 10_000)
  }
}
