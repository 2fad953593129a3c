/**
 * The live jobs store: every job the app knows, kept current by ONE `EventSource('/api/events')`
 * for the whole app (started by `RequireAuth` while a user is signed in).
 *
 *   useLiveJobs(): LiveJobsView
 *     { jobs, status: 'loading' | 'ready' | 'error', error, filter, nextCursor, loadingMore,
 *       connected, setFilter(status | null), reload(), loadMore(), upsert(job), remove(id) }
 *   useLiveJob(id): Job | null    // the store's copy of one job, following its events
 *   liveJobs.adopt(job)            // a job the page read itself, if the store lacks it
 *   liveJobs.upsert(job) / liveJobs.remove(id)  // after your own mutations (resume, delete…)
 *
 * @example
 * const job = useLiveJob(id)
 * if (job) return <JobSummary job={job} />
 */
import {
  ApiError,
  emptyLiveJobs,
  isUnknownJob,
  type Job,
  type JobStatus,
  type LiveJobs,
  parseJobEvent,
  reduceLiveJobs,
  streams,
} from '@tseeder/shared'
import { useEffect, useSyncExternalStore } from 'react'
import { api, requestSessionCheck } from './api.ts'

/** The part of `EventSource` the store uses (tests pass a fake). */
export interface EventSourceLike {
  readonly readyState: number
  addEventListener(type: string, listener: (event: Event) => void): void
  close(): void
}

export interface LiveJobsDeps {
  listJobs(query: { status?: JobStatus; cursor?: string }): Promise<{
    jobs: Job[]
    nextCursor: string | null
  }>
  getJob(id: string): Promise<Job>
  openEvents(url: string): EventSourceLike
  /** The stream was refused for good (not a network blip): the session may be over. */
  onRefused?(): void
  /** Waits before reopening a stream the browser gave up on (tests make it immediate). */
  setTimeout(run: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface LiveJobsSnapshot {
  /** Every known job, newest first (the list's pages plus jobs fetched one by one). */
  all: Job[]
  /** The jobs matching `filter`, newest first. */
  jobs: Job[]
  status: 'loading' | 'ready' | 'error'
  error: unknown
  filter: JobStatus | null
  nextCursor: string | null
  loadingMore: boolean
  /** The event stream is open. */
  connected: boolean
  /** Jobs fetched one by one that failed (404 after a delete, network…). */
  jobErrors: Readonly<Record<string, unknown>>
}

const EVENT_TYPES = ['progress', 'status', 'metadata', 'error'] as const
const CLOSED = 2
const MAX_RECONNECT_MS = 30_000

/** The store behind {@link useLiveJobs}; a plain class so tests drive it with fakes. */
export class LiveJobsStore {
  private live: LiveJobs = emptyLiveJobs
  private snapshot: LiveJobsSnapshot
  private listeners = new Set<() => void>()
  private source: EventSourceLike | null = null
  private everOpened = false
  private reconnectTimer: unknown = null
  private reconnectDelay = 1000
  /** Bumped by every list load, so a slow older answer never overwrites a newer one. */
  private loadGeneration = 0
  private fetching = new Set<string>()
  private jobErrors: Record<string, unknown> = {}

  constructor(private deps: LiveJobsDeps) {
    this.snapshot = {
      all: [],
      jobs: [],
      status: 'loading',
      error: null,
      filter: null,
      nextCursor: null,
      loadingMore: false,
      connected: false,
      jobErrors: {},
    }
  }

  getSnapshot = (): LiveJobsSnapshot => this.snapshot

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Opens the event stream and loads the first page. Idempotent. */
  start(): void {
    if (this.source || this.reconnectTimer) return
    this.connect()
    void this.reload()
  }

  /** Closes the stream and forgets every job (sign-out). */
  stop(): void {
    this.source?.close()
    this.source = null
    if (this.reconnectTimer) this.deps.clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
    this.everOpened = false
    this.live = emptyLiveJobs
    this.jobErrors = {}
    this.loadGeneration++
    this.publish({
      status: 'loading',
      error: null,
      filter: null,
      nextCursor: null,
      loadingMore: false,
      connected: false,
    })
  }

  /** Shows only jobs with this status (null: all) and loads the first page for it. */
  setFilter(filter: JobStatus | null): void {
    if (filter === this.snapshot.filter) return
    this.publish({ filter, nextCursor: null })
    void this.reload()
  }

  /**
   * (Re)loads the first page of the current filter. The page replaces what the store held for
   * that range, while jobs older than the page (loaded with "Load more") stay, so healing a
   * dropped stream does not throw away pages the user opened.
   */
  async reload(): Promise<void> {
    const generation = ++this.loadGeneration
    const filter = this.snapshot.filter
    if (this.snapshot.status === 'error') this.publish({ status: 'loading', error: null })
    try {
      const page = await this.deps.listJobs(filter ? { status: filter } : {})
      if (generation !== this.loadGeneration) return
      this.live = reduceLiveJobs(this.live, {
        type: 'reset',
        jobs: mergeFirstPage(this.live.jobs, page.jobs, filter, page.nextCursor !== null),
      })
      this.publish({ status: 'ready', error: null, nextCursor: page.nextCursor })
    } catch (error) {
      if (generation !== this.loadGeneration) return
      // Jobs already on screen stay; only an empty screen turns into an error screen.
      if (this.live.jobs.length === 0) this.publish({ status: 'error', error })
      else this.publish({ status: 'ready', error })
    }
  }

  /** Loads the next page of the current filter. */
  async loadMore(): Promise<void> {
    const { nextCursor: cursor, filter, loadingMore } = this.snapshot
    if (!cursor || loadingMore) return
    const generation = this.loadGeneration
    this.publish({ loadingMore: true })
    try {
      const page = await this.deps.listJobs(filter ? { status: filter, cursor } : { cursor })
      if (generation !== this.loadGeneration) return
      for (const job of page.jobs) this.live = reduceLiveJobs(this.live, { type: 'upsert', job })
      this.publish({ loadingMore: false, nextCursor: page.nextCursor, error: null })
    } catch (error) {
      if (generation !== this.loadGeneration) return
      this.publish({ loadingMore: false, error })
    }
  }

  /** Puts a job the app just received (created, resumed…) into the store. */
  upsert(job: Job): void {
    delete this.jobErrors[job.id]
    this.live = reduceLiveJobs(this.live, { type: 'upsert', job: withoutFiles(job) })
    this.publish({})
  }

  /**
   * Adds a job a page read for itself (the job page, with its files) when the store does not
   * hold it yet. A held copy is left alone: it follows the event stream, so it is never older.
   */
  adopt(job: Job): void {
    if (!isUnknownJob(this.live, job.id)) return
    this.upsert(job)
  }

  /** Drops a deleted job. */
  remove(id: string): void {
    this.live = reduceLiveJobs(this.live, { type: 'remove', id })
    this.publish({})
  }

  /**
   * Fetches a job an event names but the store does not hold (created on another device, or
   * beyond the loaded pages); once per job, and never again after the server said it is gone.
   */
  private ensureJob(id: string): void {
    if (!isUnknownJob(this.live, id) || this.fetching.has(id) || id in this.jobErrors) return
    void this.fetchJob(id)
  }

  private async fetchJob(id: string): Promise<void> {
    if (this.fetching.has(id)) return
    this.fetching.add(id)
    this.publish({})
    try {
      const job = await this.deps.getJob(id)
      delete this.jobErrors[id]
      this.live = reduceLiveJobs(this.live, { type: 'upsert', job: withoutFiles(job) })
    } catch (error) {
      this.jobErrors[id] = error
    } finally {
      this.fetching.delete(id)
      this.publish({})
    }
  }

  private connect(): void {
    this.reconnectTimer = null
    const source = this.deps.openEvents(streams.userEvents.path)
    this.source = source
    source.addEventListener('open', () => {
      if (this.source !== source) return
      this.reconnectDelay = 1000
      // The browser resends Last-Event-ID itself, but events of jobs created meanwhile on
      // another device, or older than the server's replay window, only a fresh list brings.
      if (this.everOpened) void this.reload()
      this.everOpened = true
      this.publish({ connected: true })
    })
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (event) => {
        if (this.source !== source) return
        // `error` is both a job event type and EventSource's own failure signal; only the
        // former is a MessageEvent with data.
        const data = (event as MessageEvent).data
        if (typeof data !== 'string') {
          if (type === 'error') this.onStreamError(source)
          return
        }
        this.onMessage(data)
      })
    }
  }

  private onStreamError(source: EventSourceLike): void {
    this.publish({ connected: false })
    // The browser retries by itself unless the answer was fatal (401, wrong type): then the
    // stream is closed and only a new EventSource, later, can bring it back.
    if (source.readyState !== CLOSED) return
    // A refused stream is often a session that ended (revoked, user suspended): let the session
    // check decide whether to keep trying or to sign out.
    this.deps.onRefused?.()
    source.close()
    this.source = null
    const delay = this.reconnectDelay
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_MS)
    this.reconnectTimer = this.deps.setTimeout(() => this.connect(), delay)
  }

  private onMessage(data: string): void {
    const event = parseJobEvent({ data })
    if (!event) return
    const unknown = isUnknownJob(this.live, event.jobId)
    this.live = reduceLiveJobs(this.live, { type: 'event', event })
    this.publish({})
    if (unknown) this.ensureJob(event.jobId)
  }

  private publish(patch: Partial<LiveJobsSnapshot>): void {
    const filter = patch.filter !== undefined ? patch.filter : this.snapshot.filter
    this.snapshot = {
      ...this.snapshot,
      ...patch,
      all: this.live.jobs,
      jobs: filter ? this.live.jobs.filter((job) => job.status === filter) : this.live.jobs,
      jobErrors: { ...this.jobErrors },
    }
    for (const listener of this.listeners) listener()
  }
}

/**
 * The store's jobs after a fresh first page: the page's jobs, plus known jobs the page does not
 * speak for — other statuses when filtered, and older jobs than the page's last when more pages exist.
 */
export function mergeFirstPage(
  known: Job[],
  page: Job[],
  filter: JobStatus | null,
  hasMore: boolean,
): Job[] {
  const pageIds = new Set(page.map((job) => job.id))
  const oldest = page.at(-1)?.createdAt
  const kept = known.filter((job) => {
    if (pageIds.has(job.id)) return false
    if (filter && job.status !== filter) return true
    return hasMore && oldest !== undefined && job.createdAt < oldest
  })
  return [...page, ...kept]
}

function withoutFiles(job: Job): Job {
  if (!('files' in job)) return job
  const { files: _files, ...rest } = job as Job & { files: unknown }
  return rest as Job
}

/** The app's one store, talking to the real API and a real `EventSource`. */
export const liveJobs = new LiveJobsStore({
  listJobs: (query) => api.listJobs({ query }),
  getJob: (id) => api.getJob({ params: { id } }),
  openEvents: (url) => new EventSource(url),
  onRefused: requestSessionCheck,
  setTimeout: (run, ms) => window.setTimeout(run, ms),
  clearTimeout: (handle) => window.clearTimeout(handle as number),
})

export interface LiveJobsView extends LiveJobsSnapshot {
  setFilter(filter: JobStatus | null): void
  reload(): Promise<void>
  loadMore(): Promise<void>
  upsert(job: Job): void
  remove(id: string): void
}

const actions = {
  setFilter: (filter: JobStatus | null) => liveJobs.setFilter(filter),
  reload: () => liveJobs.reload(),
  loadMore: () => liveJobs.loadMore(),
  upsert: (job: Job) => liveJobs.upsert(job),
  remove: (id: string) => liveJobs.remove(id),
}

/** The job list with live updates and its actions; re-renders on every change. */
export function useLiveJobs(): LiveJobsView {
  const snapshot = useSyncExternalStore(liveJobs.subscribe, liveJobs.getSnapshot)
  return { ...snapshot, ...actions }
}

/** The store's copy of one job (null until the list, an event or {@link LiveJobsStore.adopt} brings it). */
export function useLiveJob(id: string): Job | null {
  const snapshot = useSyncExternalStore(liveJobs.subscribe, liveJobs.getSnapshot)
  return snapshot.all.find((candidate) => candidate.id === id) ?? null
}

/** Runs the live connection while the calling component (the signed-in shell) is mounted. */
export function useLiveJobsConnection(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return
    liveJobs.start()
    return () => liveJobs.stop()
  }, [enabled])
}

/** True for an error meaning the job no longer exists (deleted elsewhere). */
export function isGone(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404
}
