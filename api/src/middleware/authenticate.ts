import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { Endpoint } from '@tseeder/shared'
import type { AppContext, AppEnv } from '../env.ts'
import {
  findUserBySessionStatement,
  sessionOwner,
  touchSession,
  type SessionUserRow,
} from '../db/sessions.ts'
import type { CredentialOwner } from '../db/sql.ts'
import { userSessions, type UserSessionDO } from '../durable/user-session.ts'
import type { Credential, CredentialRow } from '../durable/user-reads.ts'
import {
  findUserByTokenStatement,
  parseScopes,
  TOKEN_PREFIX,
  tokenOwner,
  touchToken,
  type TokenUserRow,
} from '../db/tokens.ts'
import { sha256Hex } from '../lib/crypto.ts'
import { HttpError } from '../lib/errors.ts'
import { writeMetric } from '../metrics/points.ts'
import { TOUCH_INTERVAL } from '../durable/user-reads.ts'

/**
 * `__Host-`: browsers accept the cookie only when Secure, Path=/ and without Domain, so a sibling
 * subdomain or an http page cannot plant or overwrite a session (fixation). Chromium treats
 * http://localhost and 127.0.0.1 as secure, so `npm start` over http keeps working. Renaming it
 * signed everyone out once: the old `tseeder_session` cookie is ignored, on purpose.
 */
export const SESSION_COOKIE = '__Host-tseeder_session'

/**
 * A route's first read, filtered by the caller's credential (`owner`) so it can run in the same
 * D1 batch as the credential's lookup; null when it cannot be built (the route then reads alone
 * and reports the problem). `read` turns its rows into what the route gets as `c.var.prefetched`.
 */
export type CredentialBatch = (
  c: AppContext,
  owner: CredentialOwner,
) => { statement: D1PreparedStatement; read: (rows: never[]) => unknown } | null

const batches = new Map<string, CredentialBatch>()

/**
 * Runs `batch` with the credential lookup of every request to `endpoint` (a path without
 * parameters): one D1 round trip instead of two. The result is only exposed once the credential
 * is found, and it is read in the same transaction, so a closed session or a revoked token sees
 * nothing, at once.
 *
 * @example
 * batchWithCredential(endpoints.listJobs, (c, owner) => ownJobsPageQuery(c.env.DB, query, owner))
 */
export function batchWithCredential(endpoint: Endpoint, batch: CredentialBatch): void {
  batches.set(`${endpoint.method} ${endpoint.path}`, batch)
}

/**
 * A route whose first read the user's object keeps (see `durable/user-reads.ts`): asked with the
 * credential instead of D1, it answers the caller's row (null: not open) and what the route gets
 * as `c.var.prefetched`; undefined when it cannot (the request then goes to D1).
 */
export type UserObjectRead = (
  c: AppContext,
  user: { id: string; object: DurableObjectStub<UserSessionDO> },
  credential: Credential,
) => Promise<{ row: CredentialRow | null; prefetched: unknown }> | undefined

const userObjectReads = new Map<string, UserObjectRead>()

/** Serves the credential lookup of `endpoint` (with its first read) from the user's object. */
export function readFromUserObject(endpoint: Endpoint, read: UserObjectRead): void {
  userObjectReads.set(`${endpoint.method} ${endpoint.path}`, read)
}

/**
 * Whose credential each hash is, as D1 answered it in this isolate: the user's object is found
 * by the user's id, which the cookie or token does not carry. A credential never changes owner,
 * so this only routes; whether it is still open is the object's (or D1's) answer every time.
 */
const credentialUsers = new Map<string, string>()
const CREDENTIAL_USERS = 10_000

async function lookUp<Row extends CredentialRow>(
  c: AppContext,
  lookup: D1PreparedStatement,
  owner: CredentialOwner,
  credential: Credential,
): Promise<Row | null> {
  const key = `${c.req.method} ${c.req.path}`
  const userId = credentialUsers.get(credential.hash)
  const kept = userId ? userObjectReads.get(key) : undefined
  const answer = kept?.(c, { id: userId!, object: userSessions(c.env, userId!) }, credential)
  if (answer) {
    const { row, prefetched } = await answer
    if (row) c.set('prefetched', prefetched)
    return row as Row | null
  }
  const started = Date.now()
  const row = await lookUpInD1<Row>(c, lookup, owner)
  // The same point the object writes for a read of its own (`list_read`): kept answers write none.
  if (userObjectReads.has(key)) {
    writeMetric(c.env, { kind: 'list_read', via: credential.via, ms: Date.now() - started })
  }
  if (row) {
    if (credentialUsers.size >= CREDENTIAL_USERS) credentialUsers.clear()
    credentialUsers.set(credential.hash, row.id)
  }
  return row
}

async function lookUpInD1<Row>(
  c: AppContext,
  lookup: D1PreparedStatement,
  owner: CredentialOwner,
): Promise<Row | null> {
  const batch = batches.get(`${c.req.method} ${c.req.path}`)
  let companion: ReturnType<CredentialBatch> = null
  try {
    companion = batch?.(c, owner) ?? null
  } catch {
    // A bad query is the route's to report, after authorization.
  }
  if (!companion) return lookup.first<Row>()
  const [found, read] = await c.env.DB.batch([lookup, companion.statement])
  const row = (found!.results[0] as Row | undefined) ?? null
  if (row) c.set('prefetched', companion.read(read!.results as never[]))
  return row
}

/**
 * Resolves the caller from `Authorization: Bearer <api token>` or the session cookie, with one
 * D1 round trip (shared with the route's first read, see `batchWithCredential`), or none when the
 * user's object keeps that read (`readFromUserObject`), and stores it as
 * `c.var.auth` (null when anonymous). It never refuses a request by itself, except for a bearer
 * token that is not valid: scripts deserve a precise 401.
 */
export const authenticate = createMiddleware<AppEnv>(async function authenticate(c, next) {
  c.set('auth', null)
  c.set('authProblem', null)
  c.set('prefetched', undefined)
  const now = Date.now()
  const header = c.req.header('authorization')

  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    const token = match?.[1]
    if (!token || !token.startsWith(TOKEN_PREFIX)) {
      throw new HttpError(401, 'not_signed_in', 'The Authorization header must be "Bearer tsd_…".')
    }
    const hash = await sha256Hex(token)
    const row = await lookUp<TokenUserRow>(
      c,
      findUserByTokenStatement(c.env.DB, hash),
      tokenOwner(hash),
      { via: 'token', hash },
    )
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
    const hash = await sha256Hex(cookie)
    const row = await lookUp<SessionUserRow>(
      c,
      findUserBySessionStatement(c.env.DB, hash, now),
      sessionOwner(hash, now),
      { via: 'session', hash },
    )
    if (!row) {
      c.set('authProblem', 'session_expired')
      return next()
    }
    const { session_id, csrf_token, session_last_seen_at, session_expires_at: _, ...user } = row
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
