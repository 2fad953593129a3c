import { z } from 'zod'

/** The seed's job lifecycle. */
export const JobStatus = z.enum([
  'submitted',
  'metadata_fetch',
  'queued',
  'downloading',
  'uploading',
  'completed',
  'paused',
  'failed',
  'cancelled',
])
export type JobStatus = z.infer<typeof JobStatus>

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

export function isActiveStatus(status: JobStatus): boolean {
  return (ACTIVE_STATUSES as readonly JobStatus[]).includes(status)
}

export function isFinalStatus(status: JobStatus): boolean {
  return JOB_TRANSITIONS[status].length === 0
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
