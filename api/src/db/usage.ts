import { ACTIVE_STATUSES, type Usage } from '@tseeder/shared'
import { billingPeriod } from '../lib/time.ts'
import { IS_TRANSFER } from './dispatch-line.ts'
import { sqlList } from './sql.ts'

/** The user's usage; bandwidth reads as zero once its month has passed, before the cron resets it. */
export async function getUsage(db: D1Database, userId: string): Promise<Usage> {
  const row = await db
    .prepare(
      `SELECT us.storage_bytes, us.bandwidth_bytes, us.bandwidth_period,
              (SELECT COUNT(*) FROM jobs j WHERE j.user_id = ?1 AND j.status IN (${sqlList(ACTIVE_STATUSES)})) AS active_jobs,
              (SELECT COUNT(*) FROM jobs j WHERE j.user_id = ?1 AND ${IS_TRANSFER}) AS transfers
       FROM usage us WHERE us.user_id = ?1`,
    )
    .bind(userId)
    .first<{
      storage_bytes: number
      bandwidth_bytes: number
      bandwidth_period: string
      active_jobs: number
      transfers: number
    }>()
  const period = billingPeriod()
  if (!row)
    return {
      storageBytes: 0,
      bandwidthBytes: 0,
      bandwidthPeriod: period,
      activeJobs: 0,
      transfers: 0,
    }
  return {
    storageBytes: row.storage_bytes,
    bandwidthBytes: row.bandwidth_period === period ? row.bandwidth_bytes : 0,
    bandwidthPeriod: period,
    activeJobs: row.active_jobs,
    transfers: row.transfers,
  }
}

export function insertUsageStatement(
  db: D1Database,
  userId: string,
  period: string,
  now: number,
): D1PreparedStatement {
  return db
    .prepare('INSERT INTO usage (user_id, bandwidth_period, updated_at) VALUES (?, ?, ?)')
    .bind(userId, period, now)
}

/** Adds `deltaBytes` (negative to free space) to the user's storage, never below zero. */
export function adjustStorageStatement(
  db: D1Database,
  userId: string,
  deltaBytes: number,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      'UPDATE usage SET storage_bytes = MAX(0, storage_bytes + ?), updated_at = ? WHERE user_id = ?',
    )
    .bind(deltaBytes, now, userId)
}

/**
 * Counts `bytes` against the user's bandwidth for `period` (starting the month afresh when the
 * row still counts an older one) in one atomic UPDATE that refuses to pass `limit` (null: no
 * limit). False when the bytes would not fit.
 */
export async function meterBandwidth(
  db: D1Database,
  metering: { userId: string; bytes: number; period: string; limit: number | null; now: number },
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE usage SET bandwidth_bytes = (CASE WHEN bandwidth_period = ?1 THEN bandwidth_bytes ELSE 0 END) + ?2,
         bandwidth_period = ?1, updated_at = ?3
       WHERE user_id = ?4 AND (?5 IS NULL OR (CASE WHEN bandwidth_period = ?1 THEN bandwidth_bytes ELSE 0 END) + ?2 <= ?5)`,
    )
    .bind(metering.period, metering.bytes, metering.now, metering.userId, metering.limit)
    .run()
  return result.meta.changes > 0
}

/** Starts `period` for every user still counting an older month; returns how many rows changed. */
export async function resetBandwidthUsage(
  db: D1Database,
  period: string,
  now: number,
): Promise<number> {
  const result = await db
    .prepare(
      'UPDATE usage SET bandwidth_bytes = 0, bandwidth_period = ?, updated_at = ? WHERE bandwidth_period <> ?',
    )
    .bind(period, now, period)
    .run()
  return result.meta.changes
}
