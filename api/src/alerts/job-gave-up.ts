import type { JobError } from '@tseeder/shared'
import { log } from '../lib/log.ts'
import { deliverDueAlerts, raiseAlert } from './alert-step.ts'
import { condition } from './rules.ts'

/**
 * A job failed after its last attempt (agent failures it could retry, or its agent going silent,
 * five times): the job's Durable Object calls this after the failure is written, off its queue.
 * The alert resolves when the job is retried or deleted (the cron checks).
 */
export async function alertJobGaveUp(
  env: Env,
  job: { jobId: string; error?: JobError },
): Promise<void> {
  try {
    log.error('job_gave_up', { jobId: job.jobId, code: job.error?.code })
    const message = `Job ${job.jobId} failed after its last attempt (${job.error?.code ?? 'unknown'}): ${job.error?.message ?? ''}`
    const id = await raiseAlert(env, condition('job_gave_up', job.jobId, message, job.jobId))
    if (id !== null) await deliverDueAlerts(env, Date.now(), id)
  } catch (error) {
    log.error('alert_failed', { jobId: job.jobId, error: String(error) })
  }
}
