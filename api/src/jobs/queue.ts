import { MINUTE, SECOND } from '../lib/time.ts'

/** The dead-letter queue's name, as in wrangler.toml. */
export const DEAD_LETTER_QUEUE = 'tseeder-jobs-dlq'

/** A job is dispatched at most this many times (no agent, agent errors, stale agents). */
export const MAX_ATTEMPTS = 5

export interface DispatchMessage {
  type: 'dispatch'
  jobId: string
  /** Idempotency key: one user's job for one info hash. */
  key: string
}

/** Exponential backoff between dispatch attempts: 15 s, 30 s, 60 s, … capped at 10 minutes. */
export function backoffSeconds(attempt: number): number {
  return Math.min((10 * MINUTE) / SECOND, 15 * 2 ** Math.max(0, attempt - 1))
}

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
