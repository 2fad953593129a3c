import { canTransition, type Job } from '@tseeder/shared'

export type JobAction = 'pause' | 'resume' | 'cancel' | 'retry' | 'delete'

/**
 * The actions a job offers in its current status, following the lifecycle's transitions. A job
 * awaiting a file choice is resumed from its page (with the chosen files), not from the list.
 */
export function availableActions(job: Job): JobAction[] {
  const actions: JobAction[] = []
  if (canTransition(job.status, 'paused')) actions.push('pause')
  if (job.status === 'paused' && !job.awaitingFiles) actions.push('resume')
  if (job.status === 'failed') actions.push('retry')
  if (canTransition(job.status, 'cancelled') && job.status !== 'failed') actions.push('cancel')
  actions.push('delete')
  return actions
}

/** Filter chips, in the order a person scans them. */
export const FILTER_STATUSES = [
  'downloading',
  'queued',
  'metadata_fetch',
  'paused',
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly Job['status'][]

/** Case-insensitive match of every word of `query` against the job's name. */
export function matchesSearch(job: Pick<Job, 'name'>, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  const name = job.name.toLowerCase()
  return words.every((word) => name.includes(word))
}
