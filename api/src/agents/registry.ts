import { ACTIVE_STATUSES, AGENT_STALE_MS, type AgentHeartbeat } from '@tseeder/shared'
import { sqlList } from '../db/sql.ts'
import { iso } from '../lib/time.ts'

/** An agent whose last heartbeat is older than this is not given work (and its jobs are re-queued). */

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

/**
 * The least-loaded healthy agent for a job of `bytesNeeded` (0 when unknown): a heartbeat within
 * 30 s, a free slot and enough free disk. Load counts the jobs the API has assigned to it as well
 * as what it last reported, so a burst of dispatches spreads before the next heartbeat.
 */
export async function pickAgent(
  db: D1Database,
  bytesNeeded: number,
  now = Date.now(),
): Promise<AgentRow | null> {
  return db
    .prepare(
      `SELECT a.*, MAX(a.active_jobs, (SELECT COUNT(*) FROM jobs j WHERE j.agent_id = a.id AND j.status IN (${sqlList(ACTIVE_STATUSES)}))) AS load
       FROM agents a
       WHERE a.last_heartbeat_at > ?1 AND a.free_disk_bytes >= ?2
       AND MAX(a.active_jobs, (SELECT COUNT(*) FROM jobs j WHERE j.agent_id = a.id AND j.status IN (${sqlList(ACTIVE_STATUSES)}))) < a.capacity
       ORDER BY CAST(load AS REAL) / a.capacity ASC, a.free_disk_bytes DESC
       LIMIT 1`,
    )
    .bind(now - AGENT_STALE_MS, bytesNeeded)
    .first<AgentRow>()
}

export function getAgent(db: D1Database, id: string): Promise<AgentRow | null> {
  return db.prepare('SELECT * FROM agents WHERE id = ?').bind(id).first<AgentRow>()
}

export function isAgentHealthy(agent: AgentRow | null, now = Date.now()): agent is AgentRow {
  return agent !== null && now - agent.last_heartbeat_at < AGENT_STALE_MS
}

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

export function toAgentInfo(row: AgentRow, now = Date.now()) {
  return {
    id: row.id,
    url: row.url,
    capacity: row.capacity,
    activeJobs: row.active_jobs,
    freeDiskBytes: row.free_disk_bytes,
    version: row.version,
    lastHeartbeatAt: iso(row.last_heartbeat_at),
    healthy: isAgentHealthy(row, now),
  }
}
