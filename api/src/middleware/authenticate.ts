import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env.ts'
import { findUserBySession, touchSession } from '../db/sessions.ts'
import { findUserByToken, parseScopes, TOKEN_PREFIX, touchToken } from '../db/tokens.ts'
import { sha256Hex } from '../lib/crypto.ts'
import { HttpError } from '../lib/errors.ts'
import { MINUTE } from '../lib/time.ts'

/**
 * `__Host-`: browsers accept the cookie only when Secure, Path=/ and without Domain, so a sibling
 * subdomain or an http page cannot plant or overwrite a session (fixation). Chromium treats
 * http://localhost and 127.0.0.1 as secure, so `npm start` over http keeps working. Renaming it
 * signed everyone out once: the old `tseeder_session` cookie is ignored, on purpose.
 */
export const SESSION_COOKIE = '__Host-tseeder_session'

/** `last_seen_at` / `last_used_at` are refreshed at most this often, to keep reads cheap. */
const TOUCH_INTERVAL = MINUTE

/**
 * Resolves the caller from `Authorization: Bearer <api token>` or the session cookie, with one
 * D1 query, and stores it as `c.var.auth` (null when anonymous). It never refuses a request by
 * itself, except for a bearer token that is not valid: scripts deserve a precise 401.
 */
export const authenticate = createMiddleware<AppEnv>(async function authenticate(c, next) {
  c.set('auth', null)
  c.set('authProblem', null)
  const now = Date.now()
  const header = c.req.header('authorization')

  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    const token = match?.[1]
    if (!token || !token.startsWith(TOKEN_PREFIX)) {
      throw new HttpError(401, 'not_signed_in', 'The Authorization header must be "Bearer tsd_…".')
    }
    const row = await findUserByToken(c.env.DB, await sha256Hex(token))
    if (!row) {
      throw new HttpError(401, 'not_signed_in', 'This API token is not valid or has been revoked.')
    }
    const { token_id, token_scopes, token_last_used_at, ...user } = row
    c.set('auth', {
      user,
      via: 'token',
      sessionId: null,
      csrfToken: null,
      tokenId: token_id,
      scopes: parseScopes(token_scopes),
    })
    if (!token_last_used_at || now - token_last_used_at > TOUCH_INTERVAL) {
      c.executionCtx.waitUntil(touchToken(c.env.DB, token_id, now))
    }
    return next()
  }

  const cookie = getCookie(c, SESSION_COOKIE)
  if (cookie) {
    const row = await findUserBySession(c.env.DB, await sha256Hex(cookie), now)
    if (!row) {
      c.set('authProblem', 'session_expired')
      return next()
    }
    const { session_id, csrf_token, session_last_seen_at, ...user } = row
    c.set('auth', {
      user,
      via: 'session',
      sessionId: session_id,
      csrfToken: csrf_token,
      tokenId: null,
      scopes: null,
    })
    if (now - session_last_seen_at > TOUCH_INTERVAL) {
      c.executionCtx.waitUntil(touchSession(c.env.DB, session_id, now))
    }
  }
  return next()
})
