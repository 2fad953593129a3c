import { createMiddleware } from 'hono/factory'
import type { AppContext, AppEnv } from '../env.ts'
import type { RateLimitResult } from '../durable/rate-limiter.ts'
import { clientIp } from '../db/audit.ts'
import { limitAddress } from '../lib/address.ts'
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
  /**
   * Failed sign-ins to one account from one address: the guesser's address is shut out, while the
   * owner, elsewhere, still gets in.
   */
  loginFailuresPerAccountAddress: { name: 'login:account-ip', limit: 5, windowMs: 15 * MINUTE },
  /**
   * Failed sign-ins to one account from all addresses together, against guessing spread over
   * many addresses: it takes ten of them to reach in 15 minutes, more than one person mistyping.
   * Where Turnstile is configured (always in production) a solved challenge lets a sign-in past
   * it, so it cannot lock the owner out; without Turnstile (local) it is a hard limit.
   */
  loginFailuresPerAccount: { name: 'login:account', limit: 50, windowMs: 15 * MINUTE },
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
    await consume(c, rule, addressKey(c))
    return next()
  })
}

/** The caller's address as per-address limits count it (an IPv6 address by its /64). */
function addressKey(c: AppContext): string {
  const address = clientIp(c)
  return address === null ? 'unknown' : limitAddress(address)
}

/** The account-and-address key of a sign-in: the guesser's address, not the owner's. */
function accountAddress(c: AppContext, email: string): string {
  return `${email}|${addressKey(c)}`
}

/**
 * Refuses a sign-in to `email` with a 429 when its address has failed too often on that account,
 * or when the account as a whole has, unless the caller solved a Turnstile challenge.
 */
export async function ensureSignInAllowed(
  c: AppContext,
  email: string,
  challengeSolved: boolean,
): Promise<void> {
  await ensureUnderLimit(c, RATE_LIMITS.loginFailuresPerAccountAddress, accountAddress(c, email))
  if (!challengeSolved) await ensureUnderLimit(c, RATE_LIMITS.loginFailuresPerAccount, email)
}

/** Counts one failed sign-in to `email`, for its address and for the account as a whole. */
export async function recordSignInFailure(c: AppContext, email: string): Promise<void> {
  // Counted without refusing (a full counter just stays full): the caller answers 401 either way.
  const count = (rule: RateLimitRule, key: string) =>
    limiter(c, rule, key).hit(rule.limit, rule.windowMs)
  await Promise.all([
    count(RATE_LIMITS.loginFailuresPerAccountAddress, accountAddress(c, email)),
    count(RATE_LIMITS.loginFailuresPerAccount, email),
  ])
}
