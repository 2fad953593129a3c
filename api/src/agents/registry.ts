import { AGENT_STALE_MS, type AgentInfo } from '@tseeder/shared'
import type { AgentRow } from '../db/agents.ts'
import { iso } from '../lib/time.ts'

/** An agent whose last heartbeat is older than `AGENT_STALE_MS` is not given work (and its jobs are re-queued). */
export function isAgentHealthy(agent: AgentRow | null, now = Date.now()): agent is AgentRow {
  return agent !== null && now - agent.last_heartbeat_at < AGENT_STALE_MS
}

export function toAgentInfo(row: AgentRow, now = Date.now()): AgentInfo {
  return {
    id: row.id,
    url: row.url,
    capacity: row.capacity,
    activeJobs: row.active_jobs,
    transfers: row.transfers,
    parkedJobs: row.parked_jobs,
    idleCapacity: row.idle_capacity,
    draining: row.draining === 1,
    freeDiskBytes: row.free_disk_bytes,
    version: row.version,
    lastHeartbeatAt: iso(row.last_heartbeat_at),
    healthy: isAgentHealthy(row, now),
  }
}
