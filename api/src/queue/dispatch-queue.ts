import type { DispatchMessage } from '@tseeder/shared'
import { MINUTE, SECOND } from '../lib/time.ts'

/** The dead-letter queue's name, as in wrangler.toml. */
export const DEAD_LETTER_QUEUE = 'tseeder-jobs-dlq'

/**
 * A job's attempt budget: it is started at most this many times, agent errors on the way
 * included, before it fails; a retry by its owner starts a new budget. Waiting in line for room
 * is not an attempt. The job's Durable Object counts the tries. The queue's `max_retries`
 * (wrangler.toml) matches it for the line's notices.
 */
export const MAX_ATTEMPTS = 5

/** Exponential backoff between attempts after agent errors: 15 s, 30 s, 60 s, … capped at 10 minutes. */
export function backoffSeconds(attempt: number): number {
  return Math.min((10 * MINUTE) / SECOND, 15 * 2 ** Math.max(0, attempt - 1))
}

/**
 * Tells the dispatch line, through the queue (delivered with retries), that `job` joined it or
 * may be tried again after `delaySeconds`.
 */
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

/** The fleet's one dispatch line (a singleton Durable Object). */
export function dispatchLine(env: Env) {
  return env.DISPATCH_LINE.get(env.DISPATCH_LINE.idFromName('fleet'))
}

/** Room may have appeared, or a job joined the line: the line fills free transfer slots soon. */
export async function fillLine(env: Env): Promise<void> {
  await dispatchLine(env).fill()
}
