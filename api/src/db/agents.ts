import type { AgentHeartbeat } from '@tseeder/shared'
import { IS_TRANSFER, PARKED } from './dispatch-line.ts'
import { auditEachStatement, systemAuditRecord } from './audit.ts'

export interface AgentRow {
  id: string
  url: string
  /** Transfer slots, and the jobs holding one as the agent last reported. */
  capacity: number
  transfers: number
  /** Jobs on the agent, transfers and parked. */
  active_jobs: number
  parked_jobs: number
  idle_capacity: number
  /** 1 while an operator drains it: no new jobs. */
  draining: number
  free_disk_bytes: number
  version: string
  last_heartbeat_at: number
  last_signed_at: number
  created_at: number
}

export function getAgent(db: D1Database, id: string): Promise<AgentRow | null> {
  return db.prepare('SELECT * FROM agents WHERE id = ?').bind(id).first<AgentRow>()
}

/**
 * Every agent, its transfers and parked torrents as it last reported them or as the API has
 * assigned them since, whichever is more: a heartbeat is up to 10 s old, a dispatch or a parking
 * is in D1 at once.
 */
export async function listAgents(db: D1Database): Promise<AgentRow[]> {
  const { results } = await db
    .prepare(
      `SELECT a.id, a.url, a.capacity, a.active_jobs, a.idle_capacity, a.draining, a.free_disk_bytes,
         a.version, a.last_heartbeat_at, a.last_signed_at, a.created_at,
         MAX(a.transfers, (SELECT COUNT(*) FROM jobs j WHERE j.agent_id = a.id AND ${IS_TRANSFER})) AS transfers,
         MAX(a.parked_jobs, (SELECT COUNT(*) FROM jobs j WHERE j.agent_id = a.id AND ${PARKED})) AS parked_jobs
       FROM agents a ORDER BY a.last_heartbeat_at DESC`,
    )
    .all<AgentRow>()
  return results
}

/**
 * Registers the agent (audited) or refreshes its row from a heartbeat signed at `signedAt`, and
 * says whether it is draining; null when a heartbeat signed later has already been recorded (a
 * replayed or reordered one changes nothing).
 */
export async function recordHeartbeat(
  db: D1Database,
  beat: AgentHeartbeat,
  signedAt: number,
): Promise<{ draining: boolean } | null> {
  const now = Date.now()
  const audit = (action: string, sql: string, binds: unknown[]) =>
    auditEachStatement(
      db,
      systemAuditRecord({
        action,
        targetType: 'agent',
        targetId: beat.agentId,
        meta: { url: beat.url, version: beat.version, capacity: beat.capacity },
        now,
      }),
      { sql, binds },
    )
  const upsert = db
    .prepare(
      `INSERT INTO agents (id, url, capacity, active_jobs, free_disk_bytes, version, last_heartbeat_at, last_signed_at, created_at,
         transfers, parked_jobs, idle_capacity)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?9, ?10, ?11)
       ON CONFLICT (id) DO UPDATE SET url = ?2, capacity = ?3, active_jobs = ?4, free_disk_bytes = ?5,
         version = ?6, last_heartbeat_at = ?7, last_signed_at = ?8, transfers = ?9, parked_jobs = ?10, idle_capacity = ?11
       WHERE agents.last_signed_at < ?8
       RETURNING draining`,
    )
    .bind(
      beat.agentId,
      beat.url,
      beat.capacity,
      beat.activeJobs,
      beat.freeDiskBytes,
      beat.version,
      now,
      signedAt,
      // An agent that does not report transfers counts every job as one.
      beat.transfers ?? beat.activeJobs,
      beat.parkedJobs,
      beat.idleCapacity,
    )
  // Audited in the same batch: an agent's first heartbeat registers it; a later one that
  // moves it to another URL (where the Worker will send jobs and credentials) is a change too.
  const results = await db.batch([
    audit(
      'agent.registered',
      'SELECT ? AS id WHERE NOT EXISTS (SELECT 1 FROM agents WHERE id = ?)',
      [beat.agentId, beat.agentId],
    ),
    audit(
      'agent.url_changed',
      'SELECT id FROM agents WHERE id = ? AND url != ? AND last_signed_at < ?',
      [beat.agentId, beat.url, signedAt],
    ),
    upsert,
  ])
  const recorded = results[2]?.results[0] as { draining: number } | undefined
  return recorded ? { draining: recorded.draining === 1 } : null
}

/** Starts or stops draining an agent, as a statement to batch with the audit row. */
export function agentDrainingStatement(
  db: D1Database,
  id: string,
  draining: boolean,
): D1PreparedStatement {
  return db.prepare('UPDATE agents SET draining = ? WHERE id = ?').bind(draining ? 1 : 0, id)
}
