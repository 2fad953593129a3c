import { DurableObject } from 'cloudflare:workers'
import type { JobEvent } from '@tseeder/shared'
import type { NewSession } from '../db/sessions.ts'
import { SerialQueue } from '../lib/serial.ts'
import { type HubEvent, SseHub } from '../lib/sse-hub.ts'

/** Events the user feed keeps for `Last-Event-ID` resumption. */
const FEED_REPLAY = 500

export type RevokeReason = 'logout' | 'revoked' | 'session_limit' | 'suspended' | 'relogin'

/**
 * One per user: that user's presence. It opens and closes the user's device sessions (D1 holds
 * the rows every request reads; this object serialises changes, so two logins at once cannot
 * both slip under the plan's session limit) and serves the user's one live stream,
 * `GET /api/events`, carrying every job event of the user. Revoking a session ends its streams.
 */
export class UserSessionDO extends DurableObject<Env> {
  private readonly queue = new SerialQueue()
  private readonly hub = new SseHub()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS feed (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, data TEXT NOT NULL)',
    )
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.run(task)
  }

  /** Appends a job event to the user's feed and sends it to every open stream. */
  async publish(event: JobEvent): Promise<void> {
    const sql = this.ctx.storage.sql
    const { id } = sql
      .exec<{ id: number }>(
        'INSERT INTO feed (type, data) VALUES (?, ?) RETURNING id',
        event.type,
        JSON.stringify(event),
      )
      .one()
    if (id % 100 === 0) sql.exec('DELETE FROM feed WHERE id <= ?', id - FEED_REPLAY)
    this.hub.broadcast({ id, type: event.type, data: event })
  }

  /** `GET /api/events`, forwarded by the Worker after it has authenticated the user. */
  override async fetch(request: Request): Promise<Response> {
    const lastId = Number(request.headers.get('last-event-id'))
    const replay =
      Number.isSafeInteger(lastId) && lastId > 0
        ? this.ctx.storage.sql
            .exec<{ id: number; type: string; data: string }>(
              'SELECT id, type, data FROM feed WHERE id > ? ORDER BY id LIMIT ?',
              lastId,
              FEED_REPLAY,
            )
            .toArray()
            .map((row): HubEvent => ({ id: row.id, type: row.type, data: JSON.parse(row.data) }))
        : []
    return this.hub.subscribe(replay, request.headers.get('x-tseeder-session'))
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
      const ids = evicted?.results.map((r) => r.id) ?? []
      for (const id of ids) this.hub.close(id)
      return ids
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
      this.hub.close(sessionId)
      return result.meta.changes > 0
    })
  }

  /** Ends the live streams opened with a credential (a session id or an API token id). */
  async closeStreams(tag: string): Promise<void> {
    this.hub.close(tag)
  }

  /** Revokes every open session of the user (suspension); returns how many. */
  revokeAll(userId: string, reason: RevokeReason): Promise<number> {
    return this.serialize(async () => {
      const result = await this.env.DB.prepare(
        'UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE user_id = ? AND revoked_at IS NULL',
      )
        .bind(Date.now(), reason, userId)
        .run()
      this.hub.close()
      return result.meta.changes
    })
  }
}

export function userSessions(env: Env, userId: string): DurableObjectStub<UserSessionDO> {
  return env.USER_SESSION.get(env.USER_SESSION.idFromName(userId))
}
