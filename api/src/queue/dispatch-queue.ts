import type { DispatchMessage } from '@tseeder/shared'
import { MINUTE, SECOND } from '../lib/time.ts'

/** The dead-letter queue's name, as in wrangler.toml. */
export const DEAD_LETTER_QUEUE = 'tseeder-jobs-dlq'

/**
 * A job's attempt budget: it is tried at most this many times (no agent free, agent errors,
 * stale agents) before it fails; a retry by its owner starts a new budget. The job's Durable
 * Object counts the tries; the queue's `max_retries` (wrangler.toml) matches it so a message
 * that used them all lands in the dead-letter queue.
 */
export const MAX_ATTEMPTS = 5

/** Exponential backoff between dispatch attempts: 15 s, 30 s, 60 s, … capped at 10 minutes. */
export function backoffSeconds(attempt: number): number {
  return Math.min((10 * MINUTE) / SECOND, 15 * 2 ** Math.max(0, attempt - 1))
}

/** Puts `job` on the dispatch queue, after `delaySeconds`. */
export async function enqueueDispatch(
  env: Env,
  job: { id: string; user_id: string; infohash: string },
  delaySeconds = 0,
): Promise<void> {
  const message: DispatchMessage = {
    type: 'dispatch',
    jobId: job.id,
    key: `${job.infohash}:${job.user_id}`,
  }
  await env.JOBS_QUEUE.send(message, delaySeconds > 0 ? { delaySeconds } : {})
}
