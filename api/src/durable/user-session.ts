import { DurableObject } from 'cloudflare:workers'
import type { NewSession } from '../db/sessions.ts'

export type RevokeReason = 'logout' | 'revoked' | 'session_limit' | 'suspended' | 'relogin'

/**
 * One per user: the place where that user's device sessions are opened and closed. D1 holds the
 * session rows (every request looks its cookie up there); this object serialises changes per
 * user, so two logins at once cannot both slip under the plan's session limit.
 */
export class UserSessionDO extends DurableObject<Env> {
  private queue: Promise<unknown> = Promise.resolve()

  /** Runs `task` after every earlier task of this user: D1 awaits would otherwise interleave. */
  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }

  /**
   * Opens a session; when the user is now over `maxSessions`, the oldest are revoked in the same
   * transaction. Returns the ids it revoked so the caller can audit them.
   */
  openSession(session: NewSession, maxSessions: number | null): Promise<string[]> {
    return this.serialize(async () => {
      const db = this.env.DB
      const insert = db
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
      if (maxSessions === null) {
        await insert.run()
        return []
      }
      const [, evicted] = await db.batch<{ id: string }>([
        insert,
        db
          .prepare(
            `UPDATE sessions SET revoked_at = ?1, revoked_reason = 'session_limit'
             WHERE user_id = ?2 AND revoked_at IS NULL AND expires_at > ?1 AND id NOT IN (
               SELECT id FROM sessions WHERE user_id = ?2 AND revoked_at IS NULL AND expires_at > ?1
               ORDER BY created_at DESC, rowid DESC LIMIT ?3)
             RETURNING id`,
          )
          .bind(session.now, session.userId, maxSessions),
      ])
      return evicted?.results.map((r) => r.id) ?? []
    })
  }

  /** Revokes one of the user's sessions; false when it is not theirs or already closed. */
  revokeSession(userId: string, sessionId: string, reason: RevokeReason): Promise<boolean> {
    return this.serialize(async () => {
      const result = await this.env.DB.prepare(
        `UPDATE sessions SET revoked_at = ?, revoked_reason = ?
         WHERE id = ? AND user_id = ? AND revoked_at IS NULL`,
      )
        .bind(Date.now(), reason, sessionId, userId)
        .run()
      return result.meta.changes > 0
    })
  }

  /** Revokes every open session of the user (suspension); returns how many. */
  revokeAll(userId: string, reason: RevokeReason): Promise<number> {
    return this.serialize(async () => {
      const result = await this.env.DB.prepare(
        'UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE user_id = ? AND revoked_at IS NULL',
      )
        .bind(Date.now(), reason, userId)
        .run()
      return result.meta.changes
    })
  }
}

export function userSessions(env: Env, userId: string): DurableObjectStub<UserSessionDO> {
  return env.USER_SESSION.get(env.USER_SESSION.idFromName(userId))
}
