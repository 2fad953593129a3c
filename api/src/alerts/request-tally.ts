// Per-isolate counts of `/api/*` answers for the error-rate alert. A D1 write per request would
// cost more than the request; instead each isolate counts in memory and hands its tally over to be
// added to D1 at most every FLUSH_INTERVAL_MS (an upsert per minute bucket: see alert-facts.ts).
// What an isolate counted since its last flush is lost if it is evicted before its next request:
// a few seconds of one isolate's traffic, which a rate over ten minutes does not notice.

/** The least time between two flushes of one isolate's counts. */
export const FLUSH_INTERVAL_MS = 5000

export interface Tally {
  /** Unix minutes: the bucket the counts are added to (the minute of the flush). */
  minute: number
  requests: number
  errors: number
}

/** One isolate's counts since its last flush. */
export class RequestTally {
  private requests = 0
  private errors = 0
  private lastFlush = Number.NEGATIVE_INFINITY

  /** Counts one answer; the tally to flush when the interval has passed, else null. */
  record(status: number, now: number): Tally | null {
    this.requests++
    if (status >= 500) this.errors++
    if (now - this.lastFlush < FLUSH_INTERVAL_MS) return null
    const tally = { minute: Math.floor(now / 60_000), requests: this.requests, errors: this.errors }
    this.requests = 0
    this.errors = 0
    this.lastFlush = now
    return tally
  }
}
