import { ACTIVE_STATUSES, type Plan, type PlanId, type Usage } from '@tseeder/shared'
import { billingPeriod } from '../lib/time.ts'
import { sqlList } from './sql.ts'

interface PlanRow {
  id: PlanId
  name: string
  max_active_jobs: number | null
  storage_bytes: number | null
  max_file_bytes: number | null
  bandwidth_bytes_per_month: number | null
  retention_days: number | null
  max_sessions: number | null
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
  }
}

export async function getPlan(db: D1Database, id: PlanId): Promise<Plan> {
  const row = await db.prepare('SELECT * FROM plans WHERE id = ?').bind(id).first<PlanRow>()
  if (!row) throw new Error(`Plan ${id} is missing from the plans table`)
  return toPlan(row)
}

/** The user's usage; bandwidth reads as zero once its month has passed, before the cron resets it. */
export async function getUsage(db: D1Database, userId: string): Promise<Usage> {
  const row = await db
    .prepare(
      `SELECT us.storage_bytes, us.bandwidth_bytes, us.bandwidth_period,
              (SELECT COUNT(*) FROM jobs j WHERE j.user_id = ?1 AND j.status IN (${sqlList(ACTIVE_STATUSES)})) AS active_jobs
       FROM usage us WHERE us.user_id = ?1`,
    )
    .bind(userId)
    .first<{
      storage_bytes: number
      bandwidth_bytes: number
      bandwidth_period: string
      active_jobs: number
    }>()
  const period = billingPeriod()
  if (!row) return { storageBytes: 0, bandwidthBytes: 0, bandwidthPeriod: period, activeJobs: 0 }
  return {
    storageBytes: row.storage_bytes,
    bandwidthBytes: row.bandwidth_period === period ? row.bandwidth_bytes : 0,
    bandwidthPeriod: period,
    activeJobs: row.active_jobs,
  }
}

/** Adds `delta` (may be negative) to the user's stored bytes, never below zero. */
export function addStorageUsage(
  db: D1Database,
  userId: string,
  delta: number,
  at: number,
): D1PreparedStatement {
  return db
    .prepare(
      'UPDATE usage SET storage_bytes = MAX(0, storage_bytes + ?), updated_at = ? WHERE user_id = ?',
    )
    .bind(delta, at, userId)
}
