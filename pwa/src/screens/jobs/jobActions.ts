import { allowedActions, type Job, type JobAction } from '@tseeder/shared'

/** What a job's menu offers: the lifecycle's actions and delete. */
export type JobMenuAction = JobAction | 'delete'

/**
 * The actions a job offers in its current status (the lifecycle's {@link allowedActions}), and
 * delete. A job awaiting a file choice is resumed from its page (with the chosen files), not from
 * the list.
 */
export function availableActions(job: Job): JobMenuAction[] {
  const actions = allowedActions(job.status).filter((a) => !(a === 'resume' && job.awaitingFiles))
  return [...actions, 'delete']
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
