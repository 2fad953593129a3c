import type { JobAction } from '@tseeder/shared'
import { jobProgress, type ActionOptions } from '../durable/job-progress.ts'
import { HttpError } from '../lib/errors.ts'
import { quotaError } from '../lib/quotas.ts'

/**
 * Pause, resume, cancel or retry a job through its Durable Object, for its owner or an operator
 * alike; a refusal becomes the contract's error (422 when the owner's plan has no free slot).
 */
export async function runJobAction(
  env: Env,
  jobId: string,
  action: JobAction,
  options: ActionOptions = {},
): Promise<void> {
  const result = await jobProgress(env, jobId).userAction(jobId, action, options)
  if (result.ok) return
  if (result.status === 422) throw quotaError(result)
  throw new HttpError(
    result.status,
    result.status === 404 ? 'not_found' : 'conflict',
    result.message,
  )
}
