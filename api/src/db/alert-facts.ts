import { RUNNING_STATUSES } from '@tseeder/shared'
import { sqlList } from './sql.ts'

// What the alert rules (`api/src/alerts/rules.ts`) read: agents, the fleet's usage, the jobs that
// event alerts are about, and the per-minute counts of `/api/*` answers.

/** Each agent with the jobs it holds: those it last reported, or those D1 still assigns it. */
export async function agentsForAlerts(db: D1Database) {
  const { results } = await db
    .prepare(
      `SELECT a.id, a.last_heartbeat_at, a.draining,
              MAX(a.active_jobs, (SELECT COUNT(*) FROM jobs j WHERE j.agent_id = a.id
                                    AND j.status IN (${sqlList(RUNNING_STATUSES)}))) AS held
       FROM agents a ORDER BY a.id`,
    )
    .all<{ id: string; last_heartbeat_at: number; draining: number; held: number }>()
  return results.map((row) => ({
    id: row.id,
    lastHeartbeatAt: row.last_heartbeat_at,
    heldJobs: row.held,
    draining: row.draining === 1,
  }))
}

/** Storage used and this month's (`period`) bandwidth, summed over every user. */
export async function fleetUsage(
  db: D1Database,
  period: string,
): Promise<{ storageBytes: number; bandwidthBytes: number }> {
  const row = await db
    .prepare(
      `SELECT COALESCE(SUM(storage_bytes), 0) AS storage,
              COALESCE(SUM(CASE WHEN bandwidth_period = ? THEN bandwidth_bytes END), 0) AS bandwidth
       FROM usage`,
    )
    .bind(period)
    .first<{ storage: number; bandwidth: number }>()
  return { storageBytes: row?.storage ?? 0, bandwidthBytes: row?.bandwidth ?? 0 }
}

/** Status of each of `ids` that still exists, and whether it follows another job. */
export async function jobStandings(
  db: D1Database,
  ids: string[],
): Promise<Map<string, { status: string; following: boolean }>> {
  if (!ids.length) return new Map()
  const { results } = await db
    .prepare(
      'SELECT id, status, follows_job_id FROM jobs WHERE id IN (SELECT value FROM json_each(?))',
    )
    .bind(JSON.stringify(ids))
    .all<{ id: string; status: string; follows_job_id: string | null }>()
  return new Map(
    results.map((row) => [row.id, { status: row.status, following: row.follows_job_id !== null }]),
  )
}

/** Adds one isolate's tally to its minute (an upsert: many isolates add to the same minute). */
export async function addRequestCounts(
  db: D1Database,
  tally: { minute: number; requests: number; errors: number },
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO api_request_counts (minute, requests, errors) VALUES (?1, ?2, ?3)
       ON CONFLICT (minute) DO UPDATE SET requests = requests + ?2, errors = errors + ?3`,
    )
    .bind(tally.minute, tally.requests, tally.errors)
    .run()
}

/** Requests and 5xx answers counted from minute `since` (Unix minutes) on. */
export async function sumRequestCounts(
  db: D1Database,
  since: number,
): Promise<{ requests: number; errors: number }> {
  const row = await db
    .prepare(
      `SELECT COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(errors), 0) AS errors
       FROM api_request_counts WHERE minute >= ?`,
    )
    .bind(since)
    .first<{ requests: number; errors: number }>()
  return { requests: row?.requests ?? 0, errors: row?.errors ?? 0 }
}

/** Forgets minutes before `before`; the rules never look back further than their window. */
export async function pruneRequestCounts(db: D1Database, before: number): Promise<void> {
  await db.prepare('DELETE FROM api_request_counts WHERE minute < ?').bind(before).run()
}
