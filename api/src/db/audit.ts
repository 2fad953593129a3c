import type { AuditEntry, AuditQuery } from '@tseeder/shared'
import type { AppContext } from '../env.ts'
import { iso } from '../lib/time.ts'
import { keysetPage, type Page } from './pages.ts'

export interface AuditInput {
  action: string
  targetType?: string
  targetId?: string
  meta?: Record<string, unknown>
  /** Defaults to the signed-in caller, or `anonymous`. */
  actorId?: string | null
  actorType?: AuditEntry['actorType']
}

function actorOf(c: AppContext): { actorId: string | null; actorType: AuditEntry['actorType'] } {
  const auth = c.get('auth')
  if (!auth) return { actorId: null, actorType: 'anonymous' }
  if (auth.via === 'token') return { actorId: auth.user.id, actorType: 'token' }
  return { actorId: auth.user.id, actorType: auth.user.role === 'admin' ? 'admin' : 'user' }
}

/**
 * The audit row for a mutation, as a statement to put in the same `db.batch()` as the change
 * itself so that both land or neither does.
 */
export function auditStatement(c: AppContext, input: AuditInput): D1PreparedStatement {
  const actor = actorOf(c)
  return c.env.DB.prepare(
    `INSERT INTO audit_logs (created_at, actor_id, actor_type, action, target_type, target_id, ip, user_agent, request_id, meta)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).bind(
    Date.now(),
    input.actorId !== undefined ? input.actorId : actor.actorId,
    input.actorType ?? actor.actorType,
    input.action,
    input.targetType ?? null,
    input.targetId ?? null,
    clientIp(c),
    c.req.header('user-agent')?.slice(0, 512) ?? null,
    c.get('requestId') ?? null,
    input.meta ? JSON.stringify(input.meta) : null,
  )
}

/**
 * The audit row for something the system did on its own (a cron), with no request behind it,
 * to batch with the change itself.
 */
export function systemAuditStatement(
  db: D1Database,
  entry: {
    action: string
    targetType: string
    targetId: string
    meta: Record<string, unknown>
    now: number
  },
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO audit_logs (created_at, actor_type, action, target_type, target_id, meta) VALUES (?, 'system', ?, ?, ?, ?)`,
    )
    .bind(entry.now, entry.action, entry.targetType, entry.targetId, JSON.stringify(entry.meta))
}

export async function audit(c: AppContext, input: AuditInput): Promise<void> {
  await auditStatement(c, input).run()
}

/** The caller's IP as Cloudflare reports it; null when unknown (local tools). */
export function clientIp(c: AppContext): string | null {
  return c.req.header('cf-connecting-ip') ?? null
}

interface AuditRow {
  id: number
  created_at: number
  actor_id: string | null
  actor_type: AuditEntry['actorType']
  action: string
  target_type: string | null
  target_id: string | null
  ip: string | null
  user_agent: string | null
  request_id: string | null
  meta: string | null
}

export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    createdAt: iso(row.created_at),
    actorId: row.actor_id,
    actorType: row.actor_type,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    meta: row.meta ? (JSON.parse(row.meta) as Record<string, unknown>) : null,
  }
}

export type { AuditRow }

/** A page of the audit log, newest first, of one actor and/or one action when given. */
export function listAuditPage(db: D1Database, options: AuditQuery): Promise<Page<AuditRow>> {
  return keysetPage<AuditRow>(db, {
    from: 'audit_logs',
    equals: { actor_id: options.actorId, action: options.action },
    cursor: options.cursor,
    limit: options.limit,
    key: 'id',
  })
}
