// No zod here: the web app's first page uses these rules and labels without loading zod (the
// `JobStatus` and `JobAction` schemas are built from these lists in schemas/status.ts).
import type { JobAction, JobStatus } from './schemas/status.ts'

/** The seed's job lifecycle. */
export const JOB_STATUSES = [
  'submitted',
  'metadata_fetch',
  'queued',
  'downloading',
  'uploading',
  'completed',
  'paused',
  'failed',
  'cancelled',
] as const

/** True when `value` is one of the lifecycle's statuses (e.g. a filter read from the URL). */
export function isJobStatus(value: unknown): value is JobStatus {
  return (JOB_STATUSES as readonly unknown[]).includes(value)
}

/**
 * Allowed moves between statuses. `queued` is also where a job goes back to when its agent
 * goes silent or a retry is asked for; `completed` and `cancelled` are final.
 */
export const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  submitted: ['metadata_fetch', 'queued', 'completed', 'paused', 'failed', 'cancelled'],
  metadata_fetch: ['queued', 'downloading', 'completed', 'paused', 'failed', 'cancelled'],
  queued: ['metadata_fetch', 'downloading', 'completed', 'paused', 'failed', 'cancelled'],
  downloading: ['uploading', 'completed', 'queued', 'paused', 'failed', 'cancelled'],
  uploading: ['completed', 'queued', 'failed', 'cancelled'],
  paused: ['queued', 'metadata_fetch', 'downloading', 'failed', 'cancelled'],
  failed: ['queued'],
  completed: [],
  cancelled: [],
}

/** True when the lifecycle allows moving a job from `from` to `to`. */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to)
}

/** Statuses that hold an agent slot or wait for one; they count toward a plan's active jobs. */
export const ACTIVE_STATUSES = [
  'submitted',
  'metadata_fetch',
  'queued',
  'downloading',
  'uploading',
] as const satisfies readonly JobStatus[]

/** Statuses in which a job waits for the dispatcher to hand it to an agent. */
export const DISPATCH_STATUSES = ['submitted', 'queued'] as const satisfies readonly JobStatus[]

/** Statuses in which an agent works on the job. */
export const RUNNING_STATUSES = [
  'metadata_fetch',
  'downloading',
  'uploading',
] as const satisfies readonly JobStatus[]

/** Statuses in which nothing more happens unless the user retries (`failed`). */
export const ENDED_STATUSES = [
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly JobStatus[]

export function isActiveStatus(status: JobStatus): boolean {
  return (ACTIVE_STATUSES as readonly JobStatus[]).includes(status)
}

export function isDispatchStatus(status: JobStatus): boolean {
  return (DISPATCH_STATUSES as readonly JobStatus[]).includes(status)
}

export function isRunningStatus(status: JobStatus): boolean {
  return (RUNNING_STATUSES as readonly JobStatus[]).includes(status)
}

export function isFinalStatus(status: JobStatus): boolean {
  return JOB_TRANSITIONS[status].length === 0
}

/** What a job's owner can ask of it (deleting is always possible and is not a lifecycle move). */
export const JOB_ACTIONS = ['pause', 'resume', 'cancel', 'retry'] as const

/** The status each action moves a job to. */
export const ACTION_TARGETS: Readonly<Record<JobAction, JobStatus>> = {
  pause: 'paused',
  resume: 'queued',
  cancel: 'cancelled',
  retry: 'queued',
}

/**
 * The actions a job in `status` allows: the one rule the API enforces and the web app and the
 * extension offer. Resume is for paused jobs and retry for failed ones (both go back to the
 * queue); pause and cancel follow the lifecycle's moves.
 *
 * @example allowedActions('downloading') // ['pause', 'cancel']
 */
export function allowedActions(status: JobStatus): JobAction[] {
  return JOB_ACTIONS.filter((action) => {
    if (action === 'resume') return status === 'paused'
    if (action === 'retry') return status === 'failed'
    return canTransition(status, ACTION_TARGETS[action])
  })
}

/** What a person reads for each status, in the PWA and the extension alike. */
export const STATUS_LABELS: Readonly<Record<JobStatus, string>> = {
  submitted: 'Submitted',
  metadata_fetch: 'Fetching metadata',
  queued: 'Queued',
  downloading: 'Downloading',
  uploading: 'Uploading',
  completed: 'Completed',
  paused: 'Paused',
  failed: 'Failed',
  cancelled: 'Cancelled',
}
