import { DurableObject } from 'cloudflare:workers'

export interface RateLimitResult {
  allowed: boolean
  remaining: number
  /** Seconds until the next request would be allowed (0 when allowed). */
  retryAfter: number
}

/**
 * One counter per key (`login:ip:…`, `login:account:…`), as a sliding log of timestamps.
 *
 * Why a Durable Object: the seed suggests KV counters, but KV is eventually consistent and takes
 * one write per key per second, so a burst of guesses would slip through; the Workers
 * rate-limit binding is per-location, approximate, and only knows 10 s and 60 s periods, which
 * cannot express "5 failed logins per 15 minutes". A Durable Object per key is exact and
 * strongly consistent, and only the few limited routes pay its round trip.
 */
export class RateLimiterDO extends DurableObject<Env> {
  private hits: number[] | null = null

  private load(windowMs: number, now: number): number[] {
    this.hits ??= this.ctx.storage.kv.get<number[]>('hits') ?? []
    this.hits = this.hits.filter((t) => now - t < windowMs)
    return this.hits
  }

  private result(hits: number[], limit: number, windowMs: number, now: number): RateLimitResult {
    const allowed = hits.length < limit
    const oldest = hits[hits.length - limit]
    return {
      allowed,
      remaining: Math.max(0, limit - hits.length),
      retryAfter: allowed || oldest === undefined ? 0 : Math.ceil((oldest + windowMs - now) / 1000),
    }
  }

  /** Counts one request and says whether it fits within `limit` per `windowMs`. */
  async hit(limit: number, windowMs: number): Promise<RateLimitResult> {
    const now = Date.now()
    const hits = this.load(windowMs, now)
    const before = this.result(hits, limit, windowMs, now)
    if (!before.allowed) return before
    hits.push(now)
    this.ctx.storage.kv.put('hits', hits)
    await this.ctx.storage.setAlarm(now + windowMs)
    return { ...before, remaining: before.remaining - 1 }
  }

  /** Says whether one more request would fit, without counting it. */
  async check(limit: number, windowMs: number): Promise<RateLimitResult> {
    const now = Date.now()
    return this.result(this.load(windowMs, now), limit, windowMs, now)
  }

  /** Forgets everything once the window has passed, so idle keys cost no storage. */
  override async alarm(): Promise<void> {
    this.hits = null
    await this.ctx.storage.deleteAll()
  }
}
