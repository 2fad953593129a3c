import type { Plan, PlanId } from '@tseeder/shared'

interface PlanRow {
  id: PlanId
  name: string
  max_active_jobs: number | null
  storage_bytes: number | null
  max_file_bytes: number | null
  bandwidth_bytes_per_month: number | null
  retention_days: number | null
  max_sessions: number | null
  priority: number
  max_queued_jobs: number | null
  max_queue_wait_ms: number | null
}

function toPlan(row: PlanRow): Plan {
  return {
    id: row.id,
    name: row.name,
    maxActiveJobs: row.max_active_jobs,
    storageBytes: row.storage_bytes,
    maxFileBytes: row.max_file_bytes,
    bandwidthBytesPerMonth: row.bandwidth_bytes_per_month,
    retentionDays: row.retention_days,
    maxSessions: row.max_sessions,
    maxQueuedJobs: row.max_queued_jobs,
    maxQueueWaitSeconds:
      row.max_queue_wait_ms === null ? null : Math.round(row.max_queue_wait_ms / 1000),
    priority: row.priority,
  }
}

export async function getPlan(db: D1Database, id: PlanId): Promise<Plan> {
  const row = await db.prepare('SELECT * FROM plans WHERE id = ?').bind(id).first<PlanRow>()
  if (!row) throw new Error(`Plan ${id} is missing from the plans table`)
  return toPlan(row)
}
