import type { Job } from './schemas/job.ts'
import { isActiveStatus } from './lifecycle.ts'
import type { JobStatus } from './schemas/status.ts'
import type { JobEvent, WaitingReason } from './schemas/events.ts'
import type { ServerSentEvent } from './sse.ts'

/**
 * The jobs a screen shows, kept current by the user's event stream. `seqs` remembers the last
 * sequence number applied per job so a replayed or late event never moves a job backwards.
 */
export interface LiveJobs {
  jobs: Job[]
  seqs: Record<string, number>
}

export const emptyLiveJobs: LiveJobs = { jobs: [], seqs: {} }

/** The `type`s of job events, which are also the `event:` names of the stream. */
export const JOB_EVENT_TYPES = ['progress', 'status', 'metadata', 'error'] as const

/** Turns one server-sent event into a `JobEvent`, or `null` for anything else (keep-alives). */
export type JobEventReader = (message: Pick<ServerSentEvent, 'data'>) => JobEvent | null

/**
 * Reads one event of the page's own origin's stream without zod (the web app's first page does
 * not load it): it checks what the live store relies on to place and order an event (`type`,
 * `jobId`, `seq`) and trusts the rest, as the app trusts its own API's answers. Clients of a
 * server they do not ship with (the extension) use `parseJobEvent`, which checks every field.
 */
export function readJobEvent(message: Pick<ServerSentEvent, 'data'>): JobEvent | null {
  try {
    const data: unknown = JSON.parse(message.data)
    if (!data || typeof data !== 'object') return null
    const { type, jobId, seq } = data as Record<string, unknown>
    const known = (JOB_EVENT_TYPES as readonly unknown[]).includes(type)
    return known && typeof jobId === 'string' && Number.isInteger(seq) ? (data as JobEvent) : null
  } catch {
    return null
  }
}

/** One job with one event applied (events of another job leave it as it is). */
export function applyJobEvent<J extends Job>(job: J, event: JobEvent, at = Date.now()): J {
  if (event.jobId !== job.id) return job
  const updatedAt = new Date(at).toISOString()
  switch (event.type) {
    case 'progress': {
      const { type: _type, jobId: _jobId, seq: _seq, fileBytes, ...fields } = event
      // An event names only the files whose bytes changed: the job keeps every file's count
      // (`mergeFileBytes`, spelled out: that module brings zod, which the first page never loads).
      const files = fileBytes ? { fileBytes: { ...job.fileBytes, ...fileBytes } } : {}
      return { ...job, ...fields, ...files, updatedAt }
    }
    case 'status': {
      const next: J = {
        ...job,
        status: event.status,
        updatedAt,
        ...queueFieldsAfter(job, event.status),
      }
      if (event.error) next.error = event.error
      else if (event.status !== 'failed') delete next.error
      if (event.status === 'completed') {
        next.progressPct = 100
        next.bytesDownloaded = next.bytesTotal
        if (next.bytesStored !== undefined) next.bytesStored = next.bytesTotal
        next.downloadSpeed = 0
        next.uploadSpeed = 0
        next.eta = 0
        next.completedAt ??= updatedAt
      }
      return next
    }
    case 'metadata':
      return { ...job, name: event.name, bytesTotal: event.bytesTotal, updatedAt }
    case 'error':
      return { ...job, error: { code: event.code, message: event.message }, updatedAt }
  }
}

const LINE_REASONS: readonly WaitingReason[] = ['in_line', 'own_limit', 'retry_later']

/**
 * What a status change leaves of a job's place in line and waiting reason: the line's reasons
 * hold only while it is `queued`, an agent's (parked) only while it is on one, neither once it
 * stopped. No event brings a new place in line: reads do.
 */
function queueFieldsAfter(job: Job, status: JobStatus): Pick<Job, 'queuePosition' | 'waiting'> {
  const reason = job.waiting?.reason
  const inLine = reason !== undefined && LINE_REASONS.includes(reason)
  if (status === 'queued')
    return { queuePosition: job.queuePosition, waiting: inLine ? job.waiting : null }
  if (!isActiveStatus(status)) return { queuePosition: null, waiting: null }
  return { queuePosition: null, waiting: inLine ? null : job.waiting }
}

/**
 * Applies an event to a job list. Events for jobs the list does not hold are reported through
 * `unknown` so the caller can fetch that job (it was added on another device).
 *
 * @example
 * const next = reduceLiveJobs(state, { type: 'event', event })
 */
export type LiveJobsAction =
  | { type: 'reset'; jobs: Job[] }
  | { type: 'upsert'; job: Job }
  | { type: 'remove'; id: string }
  | { type: 'event'; event: JobEvent; at?: number }

export function reduceLiveJobs(state: LiveJobs, action: LiveJobsAction): LiveJobs {
  switch (action.type) {
    case 'reset': {
      const held = new Map(state.jobs.map((job) => [job.id, job]))
      const jobs = action.jobs.map((job) => withNewerProgress(job, held.get(job.id)))
      return { jobs: sortJobs(jobs), seqs: keepSeqs(state.seqs, action.jobs) }
    }
    case 'upsert': {
      const rest = state.jobs.filter((job) => job.id !== action.job.id)
      return { ...state, jobs: sortJobs([action.job, ...rest]) }
    }
    case 'remove': {
      const { [action.id]: _removed, ...seqs } = state.seqs
      return { jobs: state.jobs.filter((job) => job.id !== action.id), seqs }
    }
    case 'event': {
      const { event } = action
      const last = state.seqs[event.jobId]
      if (last !== undefined && event.seq <= last) return state
      const index = state.jobs.findIndex((job) => job.id === event.jobId)
      const seqs = { ...state.seqs, [event.jobId]: event.seq }
      if (index < 0) return { ...state, seqs }
      const jobs = state.jobs.slice()
      jobs[index] = applyJobEvent(jobs[index]!, event, action.at)
      return { jobs, seqs }
    }
  }
}

/** True when the list has no job with this id (an event for it means: fetch it). */
export function isUnknownJob(state: LiveJobs, jobId: string): boolean {
  return !state.jobs.some((job) => job.id === jobId)
}

/**
 * A listed job with the progress of the copy the stream has been moving, when that copy is ahead:
 * lists are read from D1, where the API writes a running job's progress only every 10 s, while
 * events arrive every 2 s. A different status means the list knows something newer.
 */
function withNewerProgress(listed: Job, live: Job | undefined): Job {
  if (!live || live.status !== listed.status) return listed
  if (live.bytesDownloaded <= listed.bytesDownloaded && live.progressPct <= listed.progressPct) {
    return listed
  }
  const { progressPct, bytesDownloaded, downloadSpeed, uploadSpeed, eta, peers, seeds } = live
  return { ...listed, progressPct, bytesDownloaded, downloadSpeed, uploadSpeed, eta, peers, seeds }
}

function sortJobs(jobs: Job[]): Job[] {
  return jobs.slice().sort((a, b) => b.createdAt.localeCompare(a.createdAt))
}

function keepSeqs(seqs: Record<string, number>, jobs: Job[]): Record<string, number> {
  const kept: Record<string, number> = {}
  for (const job of jobs) if (seqs[job.id] !== undefined) kept[job.id] = seqs[job.id]!
  return kept
}
