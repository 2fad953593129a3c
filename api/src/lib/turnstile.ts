import type { AppContext } from '../env.ts'
import { clientIp } from '../db/audit.ts'
import { HttpError } from './errors.ts'
import { log } from './log.ts'

export const TURNSTILE_VERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify'

let warned = false

/**
 * Verifies a Turnstile token server-side when `TURNSTILE_SECRET` is set, and says whether a
 * challenge was solved. Without the secret, production fails closed (a forgotten secret must not
 * quietly open sign-up and sign-in to bots); locally (the default) the check is skipped with one
 * logged warning per isolate, and the answer is false.
 */
export async function verifyTurnstile(c: AppContext, token: string | undefined): Promise<boolean> {
  const secret = c.env.TURNSTILE_SECRET
  if (!secret && c.env.ENVIRONMENT === 'production') {
    log.error('turnstile_not_configured', {
      requestId: c.get('requestId'),
      reason: 'TURNSTILE_SECRET is not set and ENVIRONMENT is production',
    })
    throw new HttpError(
      503,
      'service_unavailable',
      'Sign-up and sign-in are turned off because human verification (Turnstile) is not configured on this server. The operator must set TURNSTILE_SECRET.',
    )
  }
  if (!secret) {
    if (!warned) {
      log.warn('turnstile_disabled', { reason: 'TURNSTILE_SECRET is not set' })
      warned = true
    }
    return false
  }
  if (!token) {
    throw new HttpError(403, 'turnstile_failed', 'Complete the human verification and try again.')
  }
  const form = new FormData()
  form.set('secret', secret)
  form.set('response', token)
  const ip = clientIp(c)
  if (ip) form.set('remoteip', ip)
  form.set('idempotency_key', c.get('requestId'))
  let outcome: { success?: boolean; 'error-codes'?: string[] } = {}
  try {
    const response = await fetch(TURNSTILE_VERIFY_URL, { method: 'POST', body: form })
    outcome = await response.json()
  } catch (error) {
    log.error('turnstile_unreachable', { requestId: c.get('requestId'), error: String(error) })
    throw new HttpError(
      503,
      'service_unavailable',
      'Human verification is unavailable; try again shortly.',
    )
  }
  if (!outcome.success) {
    log.warn('turnstile_rejected', { requestId: c.get('requestId'), codes: outcome['error-codes'] })
    throw new HttpError(
      403,
      'turnstile_failed',
      'Human verification failed. Reload the page and try again.',
    )
  }
  return true
}
