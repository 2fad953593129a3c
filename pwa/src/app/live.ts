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
  eventSourceTransport,
  type EventSourceLike,
  type Job,
  type JobStatus,
  type JobWaiting,
  LiveJobsClient,
  type LiveTimers,
  readJobEvent,
  streams,
} from '@tseeder/shared'
import { useEffect, useSyncExternalStore } from 'react'
import { api, requestSessionCheck } from './api.ts'

export interface LiveJobsDeps extends LiveTimers {
  listJobs(query: { status?: JobStatus; cursor?: string }): Promise<{
    jobs: Job[]
    nextCursor: string | null
  }>
  getJob(id: string): Promise<Job>
  openEvents(url: string): EventSourceLike
  /** The stream was refused for good (not a network blip): the session may be over. */
  onRefused?(): void
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

const MAX_RECONNECT_MS = 30_000

/**
 * The store behind {@link useLiveJobs}: the shared live client (stream, backoff, resync, jobs
 * fetched one by one) plus the dashboard's paging and filter. A plain class so tests drive it
 * with fakes.
 */
export class LiveJobsStore {
  private client: LiveJobsClient
  private snapshot: LiveJobsSnapshot
  private listeners = new Set<() => void>()
  /** Bumped by every list load, so a slow older answer never overwrites a newer one. */
  private loadGeneration = 0

  constructor(private deps: LiveJobsDeps) {
    this.client = new LiveJobsClient({
      transport: eventSourceTransport(() => deps.openEvents(streams.userEvents.path), readJobEvent),
      getJob: (id) => deps.getJob(id),
      // The browser resends Last-Event-ID itself, but events of jobs created meanwhile on
      // another device, or older than the server's replay window, only a fresh list brings.
      resync: () => this.reload(),
      // A refused stream is often a session that ended (revoked, user suspended): let the
      // session check decide whether to keep trying or to sign out.
      onFailure: () => deps.onRefused?.(),
      maxBackoffMs: MAX_RECONNECT_MS,
      timers: { setTimeout: deps.setTimeout, clearTimeout: deps.clearTimeout },
    })
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
    this.client.subscribe(() => this.publish({}))
  }

  getSnapshot = (): LiveJobsSnapshot => this.snapshot

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Opens the event stream and loads the first page. Idempotent. */
  start(): void {
    this.client.start()
  }

  /** Closes the stream and forgets every job (sign-out). */
  stop(): void {
    this.loadGeneration++
    this.client.stop()
    this.publish({
      status: 'loading',
      error: null,
      filter: null,
      nextCursor: null,
      loadingMore: false,
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
      const known = this.client.getSnapshot().live.jobs
      this.client.dispatch({
        type: 'reset',
        jobs: mergeFirstPage(known, page.jobs, filter, page.nextCursor !== null),
      })
      this.publish({ status: 'ready', error: null, nextCursor: page.nextCursor })
    } catch (error) {
      if (generation !== this.loadGeneration) return
      // Jobs already on screen stay; only an empty screen turns into an error screen.
      if (this.snapshot.all.length === 0) this.publish({ status: 'error', error })
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
      for (const job of page.jobs) this.client.dispatch({ type: 'upsert', job })
      this.publish({ loadingMore: false, nextCursor: page.nextCursor, error: null })
    } catch (error) {
      if (generation !== this.loadGeneration) return
      this.publish({ loadingMore: false, error })
    }
  }

  /** Puts a job the app just received (created, resumed…) into the store. */
  upsert(job: Job): void {
    this.client.dispatch({ type: 'upsert', job })
  }

  /**
   * Adds a job a page read for itself (the job page, with its files) when the store does not
   * hold it yet. A held copy keeps what the event stream brings, so it is never older; it takes
   * only the read's place in line and waiting state, which move without events, and only when
   * both copies agree on the status (a read from before or after a status change decides nothing).
   */
  adopt(job: Job): void {
    const held = this.client.getSnapshot().live.jobs.find((known) => known.id === job.id)
    if (!held) return this.upsert(job)
    if (held.status !== job.status) return
    if (held.queuePosition === job.queuePosition && sameWaiting(held.waiting, job.waiting)) return
    this.upsert({ ...held, queuePosition: job.queuePosition, waiting: job.waiting })
  }

  /** Drops a deleted job. */
  remove(id: string): void {
    this.client.dispatch({ type: 'remove', id })
  }

  private publish(patch: Partial<LiveJobsSnapshot>): void {
    const { live, connected, jobErrors } = this.client.getSnapshot()
    const filter = patch.filter !== undefined ? patch.filter : this.snapshot.filter
    this.snapshot = {
      ...this.snapshot,
      ...patch,
      all: live.jobs,
      jobs: filter ? live.jobs.filter((job) => job.status === filter) : live.jobs,
      connected,
      jobErrors,
    }
    for (const listener of this.listeners) listener()
  }
}

function sameWaiting(a: JobWaiting | null, b: JobWaiting | null): boolean {
  return a?.reason === b?.reason && a?.since === b?.since && a?.until === b?.until
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
