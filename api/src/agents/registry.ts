import { AGENT_STALE_MS } from '@tseeder/shared'
import { findLeastLoadedAgent, type AgentRow } from '../db/agents.ts'
import { iso } from '../lib/time.ts'

/**
 * The least-loaded healthy agent for a job of `bytesNeeded` (0 when unknown): a heartbeat within
 * 30 s, a free slot and enough free disk. Load counts the jobs the API has assigned to it as well
 * as what it last reported, so a burst of dispatches spreads before the next heartbeat.
 */
export function pickAgent(
  db: D1Database,
  bytesNeeded: number,
  now = Date.now(),
): Promise<AgentRow | null> {
  return findLeastLoadedAgent(db, now - AGENT_STALE_MS, bytesNeeded)
}

/** An agent whose last heartbeat is older than `AGENT_STALE_MS` is not given work (and its jobs are re-queued). */
export function isAgentHealthy(agent: AgentRow | null, now = Date.now()): agent is AgentRow {
  return agent !== null && now - agent.last_heartbeat_at < AGENT_STALE_MS
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
