import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env.ts'
import { USER_COLUMNS, type UserRow } from '../db/users.ts'
import { parseScopes, TOKEN_PREFIX } from '../db/tokens.ts'
import { sha256Hex } from '../lib/crypto.ts'
import { HttpError } from '../lib/errors.ts'
import { MINUTE } from '../lib/time.ts'

export const SESSION_COOKIE = 'tseeder_session'

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
    const row = await c.env.DB.prepare(
      `SELECT ${USER_COLUMNS}, t.id AS token_id, t.scopes AS token_scopes, t.last_used_at AS token_last_used_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = ? AND t.revoked_at IS NULL`,
    )
      .bind(await sha256Hex(token))
      .first<
        UserRow & { token_id: string; token_scopes: string; token_last_used_at: number | null }
      >()
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
      c.executionCtx.waitUntil(
        c.env.DB.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?')
          .bind(now, token_id)
          .run(),
      )
    }
    return next()
  }

  const cookie = getCookie(c, SESSION_COOKIE)
  if (cookie) {
    const row = await c.env.DB.prepare(
      `SELECT ${USER_COLUMNS}, s.id AS session_id, s.csrf_token, s.last_seen_at AS session_last_seen_at
       FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?`,
    )
      .bind(await sha256Hex(cookie), now)
      .first<UserRow & { session_id: string; csrf_token: string; session_last_seen_at: number }>()
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
      c.executionCtx.waitUntil(
        c.env.DB.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ?')
          .bind(now, session_id)
          .run(),
      )
    }
  }
  return next()
})
