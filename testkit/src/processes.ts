// Ports and child processes for `npm start` and `npm run demo`. Every child runs in its own process
// group (detached), so stopping it also stops what it spawned (wrangler → workerd, tsx → node),
// and a terminal's Ctrl-C reaches only us: we stop the children in order.
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'

export function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer()
      .once('error', () => done(false))
      .once('listening', () => server.close(() => done(true)))
      .listen(port, host)
  })
}

/** A port the OS says is free right now on `host`. */
export function freePort(host: string): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, host, () => {
        const { port } = server.address() as { port: number }
        server.close(() => done(port))
      })
  })
}

/** `preferred` when it is free, otherwise any free port. */
export async function preferredPort(preferred: number, host: string): Promise<number> {
  return (await portIsFree(preferred, host)) ? preferred : freePort(host)
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A child in its own process group whose output is kept (last lines) and optionally shown. */
export interface GroupChild {
  name: string
  process: ChildProcess
  /** The last 200 lines of output, for failure messages. */
  tail: string[]
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>
  /** From now on, each output line goes through `print` (by default lines are only kept). */
  show(print: (line: string) => void): void
}

/** Spawns `command` in a new process group; with `logFile`, every output line is appended there. */
export function spawnGroup(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { logFile?: string },
): GroupChild {
  const { logFile, ...spawnOptions } = options
  const child = spawn(command, args, {
    ...spawnOptions,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log: NodeJS.WritableStream | null = null
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true })
    log = createWriteStream(logFile, { flags: 'a' })
    log.write(`--- ${new Date().toISOString()} ${name} started (pid ${child.pid})\n`)
  }
  const tail: string[] = []
  let print: ((line: string) => void) | null = null
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      log?.write(`${line}\n`)
      tail.push(line)
      if (tail.length > 200) tail.shift()
      print?.(line)
    })
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))
    child.once('error', (error) => {
      tail.push(`failed to start ${command}: ${error.message}`)
      resolve('spawn-error')
    })
  })
  return {
    name,
    process: child,
    tail,
    exited,
    show(fn) {
      print = fn
    },
  }
}

export function isRunning(child: GroupChild): boolean {
  return child.process.exitCode === null && child.process.signalCode === null
}

function signalGroup(child: GroupChild, signal: NodeJS.Signals) {
  try {
    if (child.process.pid) process.kill(-child.process.pid, signal)
  } catch {
    // the group is already gone
  }
}

/**
 * SIGTERM to the child's whole process group, SIGKILL to the group if it has not exited within
 * `graceMs`. The group is signalled even when the leader already exited (grandchildren linger).
 */
export async function stopGroup(child: GroupChild, graceMs = 8_000): Promise<void> {
  signalGroup(child, 'SIGTERM')
  const timer = sleep(graceMs).then(() => 'timeout')
  if ((await Promise.race([child.exited, timer])) === 'timeout') signalGroup(child, 'SIGKILL')
  // A leader that exits on SIGTERM can leave members that ignored it.
  signalGroup(child, 'SIGKILL')
}

/** Last resort on `process.exit`: synchronously SIGKILL every group still alive. */
export function killGroupsNow(children: Iterable<GroupChild>) {
  for (const child of children) signalGroup(child, 'SIGKILL')
}

/** One pino JSON line as `LEVEL msg key=value …`; any other line unchanged. */
export function formatPinoLine(line: string): string {
  if (!line.startsWith('{')) return line
  try {
    const { level, msg, time: _time, pid: _pid, hostname: _host, ...rest } = JSON.parse(line)
    const levels: Record<number, string> = {
      10: 'TRACE',
      20: 'DEBUG',
      30: 'INFO',
      40: 'WARN',
      50: 'ERROR',
      60: 'FATAL',
    }
    const fields = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ')
    return `${levels[level as number] ?? level} ${msg ?? ''}${fields ? ` ${fields}` : ''}`
  } catch {
    return line
  }
}
