import type { DeviceSession } from '@tseeder/shared'
import { iso } from '../lib/time.ts'
import { auditEachStatement, auditRecordStatement, type AuditRecord } from './audit.ts'
import type { CredentialOwner } from './sql.ts'
import { USER_COLUMNS, type UserRow } from './users.ts'

export type RevokeReason = 'logout' | 'revoked' | 'session_limit' | 'suspended' | 'relogin'

export interface SessionRow {
  id: string
  user_id: string
  device_label: string
  ip: string | null
  created_at: number
  last_seen_at: number
}

export interface NewSession {
  id: string
  userId: string
  tokenHash: string
  csrfToken: string
  deviceLabel: string
  ip: string | null
  userAgent: string | null
  now: number
  expiresAt: number
}

export function toDeviceSession(row: SessionRow, currentId: string | null): DeviceSession {
  return {
    id: row.id,
    deviceLabel: row.device_label,
    ip: row.ip,
    createdAt: iso(row.created_at),
    lastSeenAt: iso(row.last_seen_at),
    current: row.id === currentId,
  }
}

export async function listActiveSessions(db: D1Database, userId: string): Promise<SessionRow[]> {
  const { results } = await db
    .prepare(
      `SELECT id, user_id, device_label, ip, created_at, last_seen_at FROM sessions
       WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
       ORDER BY created_at DESC, rowid DESC`,
    )
    .bind(userId, Date.now())
    .all<SessionRow>()
  return results
}

export type SessionUserRow = UserRow & {
  session_id: string
  csrf_token: string
  session_last_seen_at: number
  session_expires_at: number
}

/** The caller behind a session cookie, with the session's id, CSRF token, last use and expiry; null when closed or expired. */
export function findUserBySession(
  db: D1Database,
  tokenHash: string,
  now: number,
): Promise<SessionUserRow | null> {
  return findUserBySessionStatement(db, tokenHash, now).first()
}

/** `findUserBySession` as a statement, to batch with statements filtered by `sessionOwner`. */
export function findUserBySessionStatement(
  db: D1Database,
  tokenHash: string,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      `SELECT ${USER_COLUMNS}, s.id AS session_id, s.csrf_token, s.last_seen_at AS session_last_seen_at,
         s.expires_at AS session_expires_at
       FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?`,
    )
    .bind(tokenHash, now)
}

/** The user behind an open session cookie, as `findUserBySession` finds it. */
export function sessionOwner(tokenHash: string, now: number): CredentialOwner {
  return {
    sql: '(SELECT user_id FROM sessions WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?)',
    binds: [tokenHash, now],
  }
}

/**
 * Whether the session or API token `credentialId` is open now (its user not suspended), and until
 * when: a session's expiry, or null for a token (tokens last until revoked). null: it has ended.
 */
export async function liveCredential(
  db: D1Database,
  credentialId: string,
  now: number,
): Promise<{ until: number | null } | null> {
  const row = await db
    .prepare(
      `SELECT s.expires_at AS until FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id = ?1 AND s.revoked_at IS NULL AND s.expires_at > ?2 AND u.suspended = 0
       UNION ALL
       SELECT NULL FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.id = ?1 AND t.revoked_at IS NULL AND u.suspended = 0`,
    )
    .bind(credentialId, now)
    .first<{ until: number | null }>()
  return row
}

export async function touchSession(db: D1Database, id: string, now: number): Promise<void> {
  await db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ?').bind(now, id).run()
}

export function insertSessionStatement(db: D1Database, session: NewSession): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO sessions (id, user_id, token_hash, csrf_token, device_label, ip, user_agent, created_at, last_seen_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      session.id,
      session.userId,
      session.tokenHash,
      session.csrfToken,
      session.deviceLabel,
      session.ip,
      session.userAgent,
      session.now,
      session.now,
      session.expiresAt,
    )
}

/** The user's open sessions beyond the newest `maxSessions`: the ones a new session evicts. */
function sessionsOverLimit(userId: string, maxSessions: number, now: number) {
  return {
    sql: `SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? AND id NOT IN (
            SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
            ORDER BY created_at DESC, rowid DESC LIMIT ?)`,
    binds: [userId, now, userId, now, maxSessions],
  }
}

/**
 * Opens a session and, when the user is then over `maxSessions`, revokes the oldest, in one
 * batch with the audit rows: `created` for the new session, `evicted` (its target id replaced)
 * for each one revoked. Returns the evicted ids.
 */
export async function openSessionAudited(
  db: D1Database,
  session: NewSession,
  maxSessions: number | null,
  audit: { created: AuditRecord; evicted: AuditRecord },
): Promise<string[]> {
  const opened = [insertSessionStatement(db, session), auditRecordStatement(db, audit.created)]
  if (maxSessions === null) {
    await db.batch(opened)
    return []
  }
  const over = sessionsOverLimit(session.userId, maxSessions, session.now)
  const results = await db.batch<{ id: string }>([
    ...opened,
    auditEachStatement(db, audit.evicted, over),
    db
      .prepare(
        `UPDATE sessions SET revoked_at = ?, revoked_reason = 'session_limit' WHERE id IN (${over.sql}) RETURNING id`,
      )
      .bind(session.now, ...over.binds),
  ])
  return results[3]?.results.map((r) => r.id) ?? []
}

/**
 * Revokes one of the user's sessions with its audit row in the same batch (written only if the
 * session was open); false when it is not theirs or already closed.
 */
export async function revokeSession(
  db: D1Database,
  userId: string,
  sessionId: string,
  reason: RevokeReason,
  now: number,
  audit: AuditRecord,
): Promise<boolean> {
  const [, update] = await db.batch([
    auditEachStatement(db, audit, {
      sql: 'SELECT id FROM sessions WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
      binds: [sessionId, userId],
    }),
    db
      .prepare(
        `UPDATE sessions SET revoked_at = ?, revoked_reason = ?
         WHERE id = ? AND user_id = ? AND revoked_at IS NULL`,
      )
      .bind(now, reason, sessionId, userId),
  ])
  return (update?.meta.changes ?? 0) > 0
}

/** Revokes every open session of the user; returns how many. */
export async function revokeAllSessions(
  db: D1Database,
  userId: string,
  reason: RevokeReason,
  now: number,
): Promise<number> {
  const result = await db
    .prepare(
      'UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE user_id = ? AND revoked_at IS NULL',
    )
    .bind(now, reason, userId)
    .run()
  return result.meta.changes
}

/** "Firefox on Linux" from a User-Agent, good enough for a device list. */
export function deviceLabelFrom(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device'
  const browser =
    [
      [/Edg\//, 'Edge'],
      [/OPR\//, 'Opera'],
      [/Firefox\//, 'Firefox'],
      [/Chrome\/|Chromium\//, 'Chrome'],
      [/Safari\//, 'Safari'],
      [/curl\//, 'curl'],
    ].find(([re]) => (re as RegExp).test(userAgent))?.[1] ?? 'Browser'
  const os =
    [
      [/Android/, 'Android'],
      [/iPhone|iPad/, 'iOS'],
      [/Windows/, 'Windows'],
      [/Mac OS X|Macintosh/, 'macOS'],
      [/CrOS/, 'ChromeOS'],
      [/Linux/, 'Linux'],
    ].find(([re]) => (re as RegExp).test(userAgent))?.[1] ?? null
  return os ? `${browser} on ${os}` : String(browser)
}
