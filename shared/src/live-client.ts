import type { Job } from './schemas/job.ts'
import type { JobEvent } from './schemas/events.ts'
import {
  emptyLiveJobs,
  isUnknownJob,
  type LiveJobs,
  type LiveJobsAction,
  reduceLiveJobs,
} from './live.ts'

/** What a transport tells the client about the one stream it opened. */
export interface LiveStreamHandlers {
  onOpen(): void
  onEvent(event: JobEvent): void
  /** The connection dropped and the transport is retrying by itself (`EventSource` does). */
  onInterrupted(): void
  /** The stream ended or was refused (`error`, when there is one): the client opens a new one later. */
  onClosed(error?: unknown): void
}

/**
 * How the user's event stream (`GET /api/events`) is opened: an `EventSource` in the web app
 * (the session cookie rides along), fetch with a bearer token in the extension. Handlers are
 * called later, never from inside `open`.
 */
export interface LiveJobsTransport {
  open(handlers: LiveStreamHandlers): { close(): void }
}

/** Timers the client waits with between reconnects (tests pass ones they fire by hand). */
export interface LiveTimers {
  setTimeout(run: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface LiveJobsClientOptions {
  transport: LiveJobsTransport
  getJob(id: string): Promise<Job>
  /**
   * Brings the list up to date, on start and whenever the stream opens again: events of jobs
   * created elsewhere, or older than the server's replay window, only a fresh list brings. A
   * rejection counts as a failed connection (the stream is closed and reopened later).
   */
  resync(): Promise<void>
  /** The stream opened (again). */
  onOpen?(): void
  /** A failure after which retrying is pointless (a revoked token): the client stops for good. */
  isFatal?(error: unknown): boolean
  /** The stream was refused or ended, or a resync failed; `failures` counts those in a row before this one. */
  onFailure?(error: unknown, failures: number): void
  /** The client stopped for good on a fatal failure. */
  onFatal?(error: unknown): void
  /** Jobs to show before the server answers (the extension's cached list). */
  initial?: Job[]
  maxBackoffMs: number
  timers?: LiveTimers
}

export interface LiveJobsClientSnapshot {
  live: LiveJobs
  /** The event stream is open. */
  connected: boolean
  /** Jobs fetched one by one that failed (404 after a delete, network…); never asked again. */
  jobErrors: Readonly<Record<string, unknown>>
}

const FIRST_BACKOFF_MS = 1000

const browserTimers: LiveTimers = {
  setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * The live jobs list both clients share: holds the jobs, applies the user's events to them,
 * fetches once a job an event names but the list lacks, and keeps the stream open (a new one
 * after a growing backoff, a resync after every reopen). Listing is the caller's: it feeds pages
 * through {@link LiveJobsClient.dispatch}.
 *
 * @example
 * const client = new LiveJobsClient({ transport, getJob, resync, maxBackoffMs: 30_000 })
 * client.subscribe(() => render(client.getSnapshot().live.jobs))
 * client.start()
 */
export class LiveJobsClient {
  private snapshot: LiveJobsClientSnapshot
  private listeners = new Set<() => void>()
  private stream: { close(): void } | null = null
  private reconnectTimer: unknown = null
  private running = false
  /** False only until the first open after start, which the start's own resync covers. */
  private resyncOnOpen = false
  private failures = 0
  private fetching = new Set<string>()
  private jobErrors: Record<string, unknown> = {}
  private readonly timers: LiveTimers

  constructor(private readonly options: LiveJobsClientOptions) {
    this.timers = options.timers ?? browserTimers
    const live = options.initial
      ? reduceLiveJobs(emptyLiveJobs, { type: 'reset', jobs: options.initial })
      : emptyLiveJobs
    this.snapshot = { live, connected: false, jobErrors: {} }
  }

  getSnapshot = (): LiveJobsClientSnapshot => this.snapshot

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Opens the stream and resyncs the list. Idempotent. */
  start(): void {
    if (this.running) return
    this.running = true
    this.resyncOnOpen = false
    this.connect()
    void this.resync()
  }

  /** Closes the stream and forgets every job (sign-out, popup closed). */
  stop(): void {
    this.running = false
    this.closeStream()
    this.failures = 0
    this.fetching.clear()
    this.jobErrors = {}
    this.publish({ live: emptyLiveJobs, connected: false })
  }

  /** Applies a list change the caller made (a page loaded, a job created, resumed or deleted). */
  dispatch(action: LiveJobsAction): void {
    if (action.type === 'upsert') {
      delete this.jobErrors[action.job.id]
      action = { type: 'upsert', job: withoutFiles(action.job) }
    }
    this.publish({ live: reduceLiveJobs(this.snapshot.live, action) })
  }

  private connect(): void {
    this.reconnectTimer = null
    let stream: { close(): void } | null = null
    const current = () => this.running && this.stream === stream
    stream = this.options.transport.open({
      onOpen: () => {
        if (!current()) return
        const resync = this.resyncOnOpen
        this.resyncOnOpen = true
        this.publish({ connected: true })
        this.options.onOpen?.()
        if (!resync) this.failures = 0
        else void this.resyncThenReset(current)
      },
      onEvent: (event) => {
        if (current()) this.onEvent(event)
      },
      onInterrupted: () => {
        if (current()) this.publish({ connected: false })
      },
      onClosed: (error) => {
        if (current()) this.fail(error)
      },
    })
    this.stream = stream
  }

  /** The backoff starts over only once a reopened stream also gave a fresh list. */
  private async resyncThenReset(current: () => boolean): Promise<void> {
    if ((await this.resync()) && current()) this.failures = 0
  }

  /** Resyncs the list; a failure closes the stream so the next connection tries again. */
  private async resync(): Promise<boolean> {
    try {
      await this.options.resync()
      return true
    } catch (error) {
      if (this.running) this.fail(error)
      return false
    }
  }

  private fail(error: unknown): void {
    if (error !== undefined && this.options.isFatal?.(error)) {
      this.running = false
      this.closeStream()
      this.publish({ connected: false })
      this.options.onFatal?.(error)
      return
    }
    // A resync and the stream failing together make one failure, not two backoff steps.
    if (this.reconnectTimer !== null) return
    this.closeStream()
    this.resyncOnOpen = true
    this.publish({ connected: false })
    if (error !== undefined) this.options.onFailure?.(error, this.failures)
    const delay = Math.min(this.options.maxBackoffMs, FIRST_BACKOFF_MS * 2 ** this.failures)
    this.failures++
    this.reconnectTimer = this.timers.setTimeout(() => {
      if (this.running) this.connect()
    }, delay)
  }

  private closeStream(): void {
    const stream = this.stream
    this.stream = null
    stream?.close()
    if (this.reconnectTimer !== null) this.timers.clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
  }

  private onEvent(event: JobEvent): void {
    const unknown = isUnknownJob(this.snapshot.live, event.jobId)
    this.publish({ live: reduceLiveJobs(this.snapshot.live, { type: 'event', event }) })
    if (unknown) void this.fetchJob(event.jobId)
  }

  /**
   * Fetches a job an event names but the list does not hold (created on another device, or
   * beyond the loaded pages); once per job, and never again after the server said it is gone.
   */
  private async fetchJob(id: string): Promise<void> {
    if (this.fetching.has(id) || id in this.jobErrors) return
    this.fetching.add(id)
    try {
      const job = await this.options.getJob(id)
      if (!this.fetching.has(id)) return
      delete this.jobErrors[id]
      this.publish({
        live: reduceLiveJobs(this.snapshot.live, { type: 'upsert', job: withoutFiles(job) }),
      })
    } catch (error) {
      if (!this.fetching.has(id)) return
      this.jobErrors[id] = error
      this.publish({})
    } finally {
      this.fetching.delete(id)
    }
  }

  private publish(patch: Partial<LiveJobsClientSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch, jobErrors: { ...this.jobErrors } }
    for (const listener of this.listeners) listener()
  }
}

/** A job without its file list: the list holds summaries, the job page reads files itself. */
function withoutFiles(job: Job): Job {
  if (!('files' in job)) return job
  const { files: _files, ...rest } = job as Job & { files: unknown }
  return rest as Job
}
