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
 * An audit row as plain data: what a Durable Object is handed over RPC (a prepared statement
 * cannot cross it) to put the row into the same D1 batch as the change it makes.
 */
export interface AuditRecord {
  createdAt: number
  actorId: string | null
  actorType: AuditEntry['actorType']
  action: string
  targetType: string | null
  targetId: string | null
  ip: string | null
  userAgent: string | null
  requestId: string | null
  meta: Record<string, unknown> | null
}

/** The audit record of a request's mutation: actor, IP, user agent and request id from `c`. */
export function auditRecord(c: AppContext, input: AuditInput): AuditRecord {
  const actor = actorOf(c)
  return {
    createdAt: Date.now(),
    actorId: input.actorId !== undefined ? input.actorId : actor.actorId,
    actorType: input.actorType ?? actor.actorType,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    ip: clientIp(c),
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
    requestId: c.get('requestId') ?? null,
    meta: input.meta ?? null,
  }
}

/** The audit record of something the system did on its own (a cron, the dispatch line, an agent's heartbeat). */
export function systemAuditRecord(entry: {
  action: string
  targetType: string
  targetId: string
  meta: Record<string, unknown>
  now: number
}): AuditRecord {
  return {
    createdAt: entry.now,
    actorId: null,
    actorType: 'system',
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    ip: null,
    userAgent: null,
    requestId: null,
    meta: entry.meta,
  }
}

const AUDIT_COLUMNS =
  'created_at, actor_id, actor_type, action, target_type, target_id, ip, user_agent, request_id, meta'

function recordValues(record: AuditRecord): unknown[] {
  return [
    record.createdAt,
    record.actorId,
    record.actorType,
    record.action,
    record.targetType,
    record.targetId,
    record.ip,
    record.userAgent,
    record.requestId,
    record.meta ? JSON.stringify(record.meta) : null,
  ]
}

/** The statement inserting one audit record, for the `db.batch()` of the change itself. */
export function auditRecordStatement(db: D1Database, record: AuditRecord): D1PreparedStatement {
  return db
    .prepare(`INSERT INTO audit_logs (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .bind(...recordValues(record))
}

/**
 * One audit row per target id that `targets` (a SELECT of one column, `id`) returns when the
 * batch reaches it: placed before a conditional change, the rows land exactly when the change
 * applies to them (the batch is one transaction); placed after, it audits what the change did.
 * `record.targetId` is replaced by each id.
 */
export function auditEachStatement(
  db: D1Database,
  record: AuditRecord,
  targets: { sql: string; binds: unknown[] },
): D1PreparedStatement {
  const values = recordValues({ ...record, targetId: null })
  return db
    .prepare(
      `INSERT INTO audit_logs (${AUDIT_COLUMNS})
       SELECT ?1, ?2, ?3, ?4, ?5, target.id, ?7, ?8, ?9, ?10 FROM (${targets.sql}) AS target`,
    )
    .bind(...values, ...targets.binds)
}

/**
 * The audit row for a mutation, as a statement to put in the same `db.batch()` as the change
 * itself so that both land or neither does.
 */
export function auditStatement(c: AppContext, input: AuditInput): D1PreparedStatement {
  return auditRecordStatement(c.env.DB, auditRecord(c, input))
}

/**
 * The audit row for something the system did on its own (a cron), with no request behind it,
 * to batch with the change itself.
 */
export function systemAuditStatement(
  db: D1Database,
  entry: Parameters<typeof systemAuditRecord>[0],
): D1PreparedStatement {
  return auditRecordStatement(db, systemAuditRecord(entry))
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
