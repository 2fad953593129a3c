import { createMiddleware } from 'hono/factory'
import type { AppContext, AppEnv } from '../env.ts'
import type { RateLimitResult } from '../durable/rate-limiter.ts'
import { clientIp } from '../db/audit.ts'
import { HttpError } from '../lib/errors.ts'
import { MINUTE, HOUR } from '../lib/time.ts'

export interface RateLimitRule {
  name: string
  limit: number
  windowMs: number
}

/** The limits, in one place. */
export const RATE_LIMITS = {
  loginPerIp: { name: 'login:ip', limit: 20, windowMs: 5 * MINUTE },
  loginFailuresPerAccount: { name: 'login:account', limit: 5, windowMs: 15 * MINUTE },
  registerPerIp: { name: 'register:ip', limit: 10, windowMs: HOUR },
  jobCreatePerAccount: { name: 'jobs:create', limit: 60, windowMs: 10 * MINUTE },
} satisfies Record<string, RateLimitRule>

function limiter(c: AppContext, rule: RateLimitRule, key: string) {
  return c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(`${rule.name}:${key}`))
}

export function tooManyRequests(result: RateLimitResult): HttpError {
  return new HttpError(
    429,
    'rate_limited',
    `Too many attempts. Try again in ${result.retryAfter} seconds.`,
    { retryAfter: result.retryAfter },
  )
}

/** Counts one request against `rule` for `key`; throws a 429 with `Retry-After` when over. */
export async function consume(c: AppContext, rule: RateLimitRule, key: string): Promise<void> {
  const result = await limiter(c, rule, key).hit(rule.limit, rule.windowMs)
  if (!result.allowed) throw tooManyRequests(result)
}

/** Throws a 429 when `key` is already over `rule`, without counting this request. */
export async function ensureUnderLimit(
  c: AppContext,
  rule: RateLimitRule,
  key: string,
): Promise<void> {
  const result = await limiter(c, rule, key).check(rule.limit, rule.windowMs)
  if (!result.allowed) throw tooManyRequests(result)
}

/**
 * Middleware that limits a route per client IP.
 *
 * @example
 * route(app, endpoints.register, handler, { before: [limitPerIp(RATE_LIMITS.registerPerIp)] })
 */
export function limitPerIp(rule: RateLimitRule) {
  return createMiddleware<AppEnv>(async function limitPerIp(c, next) {
    await consume(c, rule, clientIp(c) ?? 'unknown')
    return next()
  })
}
