import { createMiddleware } from 'hono/factory'
import { addRequestCounts } from '../db/alert-facts.ts'
import type { AppEnv } from '../env.ts'
import { log } from '../lib/log.ts'
import { RequestTally } from './request-tally.ts'

/**
 * Counts `/api/*` answers and 5xx in this isolate and adds them to D1 at most every few seconds,
 * after the answer is sent (see request-tally.ts); the cron's error-rate rule reads them.
 *
 * @example app.use('/api/*', countApiRequests())
 */
export function countApiRequests() {
  const tally = new RequestTally()
  return createMiddleware<AppEnv>(async function countApiRequests(c, next) {
    await next()
    const flush = tally.record(c.res.status, Date.now())
    if (!flush) return
    const write = addRequestCounts(c.env.DB, flush).catch((error) =>
      log.warn('request_counts_failed', { error: String(error) }),
    )
    try {
      c.executionCtx.waitUntil(write)
    } catch {
      await write
    }
  })
}
