import type { QueueSummary } from '@tseeder/shared'
import { IN_LINE, PARKED } from './dispatch-line.ts'

// What operators see of the dispatch line (`dispatch-line.ts` orders and fills it): how long
// it is, how long its jobs have waited, and the torrents parked on agents.

interface SummaryRow {
  depth: number
  oldest_ms: number | null
  median_ms: number | null
  parked: number
}

/**
 * The fleet's line at `now`: how many jobs wait in it, the wait so far (from `queued_at`, their
 * place in line) of the one in line longest and the median, and how many jobs are parked.
 */
export async function queueSummary(db: D1Database, now: number): Promise<QueueSummary> {
  const row = await db
    .prepare(
      `WITH waits AS (
         SELECT MAX(0, ?1 - COALESCE(j.queued_at, ?1)) AS wait FROM jobs j WHERE ${IN_LINE}
       ),
       ranked AS (
         SELECT wait, ROW_NUMBER() OVER (ORDER BY wait) AS n, COUNT(*) OVER () AS total FROM waits
       )
       SELECT (SELECT COUNT(*) FROM waits) AS depth,
              (SELECT MAX(wait) FROM waits) AS oldest_ms,
              (SELECT AVG(wait) FROM ranked WHERE n IN ((total + 1) / 2, (total + 2) / 2)) AS median_ms,
              (SELECT COUNT(*) FROM jobs j WHERE ${PARKED}) AS parked`,
    )
    .bind(now)
    .first<SummaryRow>()
  const seconds = (ms: number | null | undefined) => (ms == null ? null : Math.floor(ms / 1000))
  return {
    depth: row?.depth ?? 0,
    oldestWaitSeconds: seconds(row?.oldest_ms),
    medianWaitSeconds: seconds(row?.median_ms),
    parked: row?.parked ?? 0,
  }
}

/** The jobs parked on `agentId` (running there, waiting for metadata or peers). */
export async function listParkedJobIds(db: D1Database, agentId: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT j.id FROM jobs j WHERE j.agent_id = ? AND ${PARKED} ORDER BY j.queued_at, j.id`,
    )
    .bind(agentId)
    .all<{ id: string }>()
  return results.map((row) => row.id)
}
