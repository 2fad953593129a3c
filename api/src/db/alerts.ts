import { iso } from '../lib/time.ts'

export interface AlertRow {
  id: number
  created_at: number
  kind: string
  job_id: string | null
  message: string
}

export function toAlert(row: AlertRow) {
  return {
    id: row.id,
    createdAt: iso(row.created_at),
    kind: row.kind,
    jobId: row.job_id,
    message: row.message,
  }
}

export async function listRecentAlerts(db: D1Database, limit: number): Promise<AlertRow[]> {
  const { results } = await db
    .prepare('SELECT * FROM alerts ORDER BY id DESC LIMIT ?')
    .bind(limit)
    .all<AlertRow>()
  return results
}

/** An alert for the operators (shown on the admin page). */
export async function recordAlert(
  db: D1Database,
  alert: { kind: string; jobId: string | null; message: string },
  at = Date.now(),
): Promise<void> {
  await db
    .prepare('INSERT INTO alerts (created_at, kind, job_id, message) VALUES (?, ?, ?, ?)')
    .bind(at, alert.kind, alert.jobId, alert.message)
    .run()
}
