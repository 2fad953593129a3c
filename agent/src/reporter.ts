import { readFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { AgentCallback, agentProtocol, readAnswer } from '@tseeder/shared'
import type { ApiClient } from './api-client.ts'
import { writeFileAtomic } from './fs-atomic.ts'
import { privateDir } from './job-state.ts'
import type { Logger } from './log.ts'
import type { Metrics } from './metrics.ts'

interface Pending {
  file: string
  callback: AgentCallback
}

export interface ReporterOptions {
  dataDir: string
  api: ApiClient
  log: Logger
  metrics?: Metrics
  maxBackoffMs: number
  minBackoffMs?: number
}

/**
 * The outbox: every callback is written to `<dataDir>/outbox/` before it is sent, delivered in
 * order, retried with exponential backoff while the API is unreachable or failing (network error,
 * 5xx, 408, 429) and dropped only once the API has answered 2xx or refused it with another 4xx.
 */
export class Reporter {
  private readonly dir: string
  private readonly queue: Pending[] = []
  private counter = 0
  private running = false
  private stopped = false
  private wake: (() => void) | null = null
  private idleWaiters: (() => void)[] = []

  constructor(private readonly options: ReporterOptions) {
    this.dir = join(options.dataDir, 'outbox')
  }

  /** Loads callbacks left by a previous run and starts delivering them. */
  async init(): Promise<void> {
    await privateDir(this.dir)
    const names = (await readdir(this.dir)).filter((n) => /^\d{16}\.json$/.test(n)).sort()
    for (const name of names) {
      try {
        const callback = AgentCallback.parse(
          JSON.parse(await readFile(join(this.dir, name), 'utf8')),
        )
        this.queue.push({ file: name, callback })
      } catch (error) {
        // A torn or foreign file cannot be delivered; keeping it would block every later one.
        this.options.log.warn({ file: name, err: String(error) }, 'unreadable callback dropped')
        await rm(join(this.dir, name), { force: true })
      }
    }
    this.counter = names.length ? Number(names.at(-1)!.slice(0, 16)) : 0
    this.options.metrics?.callbacksPending.set(this.queue.length)
    this.kick()
  }

  /** Persists `callback` and schedules its delivery after everything queued before it. */
  async enqueue(callback: AgentCallback): Promise<void> {
    const file = `${String(++this.counter).padStart(16, '0')}.json`
    await writeFileAtomic(join(this.dir, file), JSON.stringify(callback))
    // Writes may finish out of order; the queue keeps the order in which seqs were handed out.
    const at = this.queue.findIndex((p) => p.file > file)
    if (at === -1) this.queue.push({ file, callback })
    else this.queue.splice(Math.max(at, this.running ? 1 : 0), 0, { file, callback })
    this.options.metrics?.callbacksPending.set(this.queue.length)
    this.kick()
  }

  /** True while a callback of this type for this job waits to be delivered. */
  hasPending(jobId: string, type: AgentCallback['type']): boolean {
    return this.queue.some((p) => p.callback.jobId === jobId && p.callback.type === type)
  }

  get pending(): number {
    return this.queue.length
  }

  /** Resolves once the outbox is empty, or after `timeoutMs` (the rest stays on disk). */
  async flush(timeoutMs: number): Promise<boolean> {
    if (this.queue.length === 0) return true
    this.wake?.()
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(this.queue.length === 0), timeoutMs)
      this.idleWaiters.push(() => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  }

  stop(): void {
    this.stopped = true
    this.wake?.()
  }

  private kick(): void {
    if (this.running || this.stopped) return
    this.running = true
    void this.deliverAll().finally(() => {
      this.running = false
    })
  }

  private async deliverAll(): Promise<void> {
    const { log, api, maxBackoffMs } = this.options
    const minBackoff = this.options.minBackoffMs ?? 250
    let backoff = minBackoff
    while (!this.stopped && this.queue.length > 0) {
      const head = this.queue[0]!
      const { jobId, seq, type } = head.callback
      let outcome: 'delivered' | 'refused' | 'retry'
      try {
        const response = await api.send(agentProtocol.callback, head.callback)
        if (response.ok) {
          outcome = 'delivered'
          await readAnswer(agentProtocol.callback, response).catch((error: Error) =>
            log.error({ jobId, seq, type, err: error.message }, 'unexpected answer to a callback'),
          )
        } else if (response.status >= 500 || response.status === 408 || response.status === 429) {
          outcome = 'retry'
          log.warn({ jobId, seq, type, status: response.status }, 'callback not accepted yet')
        } else {
          outcome = 'refused'
          log.error({ jobId, seq, type, status: response.status }, 'API refused a callback')
        }
        if (!response.ok) await response.body?.cancel()
      } catch (error) {
        outcome = 'retry'
        log.warn({ jobId, seq, type, err: (error as Error).message }, 'API unreachable')
      }
      if (outcome === 'retry') {
        await this.sleep(backoff)
        backoff = Math.min(backoff * 2, maxBackoffMs)
        continue
      }
      backoff = minBackoff
      this.queue.shift()
      this.options.metrics?.callbacksPending.set(this.queue.length)
      await rm(join(this.dir, head.file), { force: true })
    }
    if (this.queue.length === 0) {
      const waiters = this.idleWaiters.splice(0)
      for (const resolve of waiters) resolve()
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.wake = () => {
        this.wake = null
        done()
      }
    })
  }
}
