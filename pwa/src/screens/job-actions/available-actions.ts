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
