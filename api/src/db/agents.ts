import { ACTIVE_STATUSES, type AgentHeartbeat } from '@tseeder/shared'
import { sqlList } from './sql.ts'

export interface AgentRow {
  id: string
  url: string
  capacity: number
  active_jobs: number
  free_disk_bytes: number
  version: string
  last_heartbeat_at: number
  last_signed_at: number
  created_at: number
}

/** An agent's load: what it last reported, or the jobs the API has assigned it, whichever is more. */
const LOAD = `MAX(a.active_jobs, (SELECT COUNT(*) FROM jobs j WHERE j.agent_id = a.id AND j.status IN (${sqlList(ACTIVE_STATUSES)})))`

/**
 * The least-loaded agent that heartbeat after `heartbeatAfter`, has a free slot and at least
 * `bytesNeeded` of free disk; ties go to the one with more free disk.
 */
export function findLeastLoadedAgent(
  db: D1Database,
  heartbeatAfter: number,
  bytesNeeded: number,
): Promise<AgentRow | null> {
  return db
    .prepare(
      `SELECT a.*, ${LOAD} AS load
       FROM agents a
       WHERE a.last_heartbeat_at > ?1 AND a.free_disk_bytes >= ?2
       AND ${LOAD} < a.capacity
       ORDER BY CAST(load AS REAL) / a.capacity ASC, a.free_disk_bytes DESC
       LIMIT 1`,
    )
    .bind(heartbeatAfter, bytesNeeded)
    .first<AgentRow>()
}

export function getAgent(db: D1Database, id: string): Promise<AgentRow | null> {
  return db.prepare('SELECT * FROM agents WHERE id = ?').bind(id).first<AgentRow>()
}

export async function listAgents(db: D1Database): Promise<AgentRow[]> {
  const { results } = await db
    .prepare('SELECT * FROM agents ORDER BY last_heartbeat_at DESC')
    .all<AgentRow>()
  return results
}

/**
 * Registers the agent or refreshes its row from a heartbeat signed at `signedAt`; false when a
 * heartbeat signed later has already been recorded (a replayed or reordered one changes nothing).
 */
export async function recordHeartbeat(
  db: D1Database,
  beat: AgentHeartbeat,
  signedAt: number,
): Promise<boolean> {
  const now = Date.now()
  const result = await db
    .prepare(
      `INSERT INTO agents (id, url, capacity, active_jobs, free_disk_bytes, version, last_heartbeat_at, last_signed_at, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7)
       ON CONFLICT (id) DO UPDATE SET url = ?2, capacity = ?3, active_jobs = ?4, free_disk_bytes = ?5,
         version = ?6, last_heartbeat_at = ?7, last_signed_at = ?8
       WHERE agents.last_signed_at < ?8`,
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
    )
    .run()
  return result.meta.changes > 0
}
