// The SQL of the account's own changes: its password, its sessions at once, and its removal.
import type { PasswordHash } from '../lib/crypto.ts'
import type { JobRow } from './jobs.ts'

/**
 * Stores a new password hash for the user. `mustChange`: a one-time password an operator set,
 * which signs in only to choose a new one (a password the user chose clears it).
 */
export function setPasswordStatement(
  db: D1Database,
  userId: string,
  password: PasswordHash,
  now: number,
  mustChange = false,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE users SET password_hash = ?, password_salt = ?, password_iterations = ?, updated_at = ?,
         must_change_password = ?
       WHERE id = ?`,
    )
    .bind(password.hash, password.salt, password.iterations, now, mustChange ? 1 : 0, userId)
}

/**
 * Revokes the user's open sessions, all of them or all but `keepId`; returns the revoked ids so
 * their live streams can be closed.
 */
export async function revokeSessionsOf(
  db: D1Database,
  userId: string,
  reason: string,
  now: number,
  keepId: string | null = null,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `UPDATE sessions SET revoked_at = ?1, revoked_reason = ?2
       WHERE user_id = ?3 AND revoked_at IS NULL AND (?4 IS NULL OR id <> ?4)
       RETURNING id`,
    )
    .bind(now, reason, userId, keepId)
    .all<{ id: string }>()
  return results.map((row) => row.id)
}

/** Every job of the user, to remove one by one (each stops its agent and frees its content). */
export async function listJobRowsOfUser(db: D1Database, userId: string): Promise<JobRow[]> {
  const { results } = await db
    .prepare('SELECT * FROM jobs WHERE user_id = ? ORDER BY created_at')
    .bind(userId)
    .all<JobRow>()
  return results
}

/** The user's API tokens still usable, for closing the streams they opened. */
export async function listLiveTokenIds(db: D1Database, userId: string): Promise<string[]> {
  const { results } = await db
    .prepare('SELECT id FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL')
    .bind(userId)
    .all<{ id: string }>()
  return results.map((row) => row.id)
}

/**
 * Removes the user row; its sessions, tokens, usage and push subscriptions go with it (foreign
 * keys cascade). Jobs are removed before this, one by one. The audit log keeps its rows.
 */
export function deleteUserStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db.prepare('DELETE FROM users WHERE id = ?').bind(userId)
}
