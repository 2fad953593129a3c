import {
  AGENT_STALE_MS,
  DISPATCH_STATUSES,
  isDispatchStatus,
  RUNNING_STATUSES,
  type Job,
  type JobWaiting,
} from '@tseeder/shared'
import { iso } from '../lib/time.ts'
import { getJobRows, toJob, type JobRow } from './jobs.ts'
import { sqlList } from './sql.ts'

// The dispatch line: every job waiting for an agent, across the fleet, in one fair order. Its
// order, the per-user transfer cap and the room on agents are written here only.

/**
 * A transfer: a job holding one of an agent's transfer slots (on an agent, downloading on its
 * own, not parked). `j` is the jobs table's alias. What a plan's `max_active_jobs` counts.
 */
export const IS_TRANSFER = `j.status IN (${sqlList(RUNNING_STATUSES)}) AND j.follows_job_id IS NULL AND j.waiting_reason IS NULL`

/** In line: waiting for the dispatcher, on its own (a follower waits for its leader). */
export const IN_LINE = `j.status IN (${sqlList(DISPATCH_STATUSES)}) AND j.follows_job_id IS NULL`

/**
 * Parked: in an agent's engine, moving no bytes until it finds metadata or peers. A follower
 * mirrors its leader's state but is in no engine, so it is not counted twice.
 */
export const PARKED = `j.status IN (${sqlList(RUNNING_STATUSES)}) AND j.follows_job_id IS NULL AND j.waiting_reason IS NOT NULL`

/** The user's transfers now (`userId`: an SQL expression). */
const transfersOf = (userId: string) =>
  `(SELECT COUNT(*) FROM jobs j WHERE j.user_id = ${userId} AND ${IS_TRANSFER})`

/** The user's jobs on agents now, transfers and parked (`userId`: an SQL expression). */
const onAgentsOf = (userId: string) =>
  `(SELECT COUNT(*) FROM jobs j WHERE j.user_id = ${userId} AND j.status IN (${sqlList(RUNNING_STATUSES)}) AND j.follows_job_id IS NULL)`

/**
 * The jobs in line that match `where`, each with its `turn`: the owner's jobs on agents now (the
 * turns they already had, parked ones included) plus its rank among the owner's jobs in line. A
 * user with nothing on agents has turn 1 for their job in line longest, 2 for the next; a user
 * with two jobs out has turn 3 for theirs. The line is ordered by plan priority, then turn, then
 * time in line, so users of one priority take turns instead of one user's batch going first.
 * `transfers` is the owner's transfers, which their plan caps.
 */
const line = (where: string) => `
  SELECT l.*, l.rank + ${onAgentsOf('l.user_id')} AS turn, ${transfersOf('l.user_id')} AS transfers FROM (
    SELECT j.id, j.user_id, j.infohash, j.bytes_total, j.queued_at, j.not_before, p.priority,
           p.max_active_jobs, p.max_queue_wait_ms,
           ROW_NUMBER() OVER (PARTITION BY j.user_id ORDER BY j.queued_at, j.id) AS rank
    FROM jobs j JOIN users u ON u.id = j.user_id JOIN plans p ON p.id = u.plan_id
    WHERE ${IN_LINE} AND ${where}
  ) l`
const LINE = line('1')
const LINE_ORDER = 'priority DESC, turn, queued_at, id'

export interface LineJob {
  id: string
  user_id: string
  infohash: string
  bytes_total: number
}

/**
 * Up to `limit` jobs to dispatch now, in line order: not waiting out a retry delay, and no more
 * of one user's than their plan's transfers leave room for.
 */
export async function nextInLine(db: D1Database, now: number, limit: number): Promise<LineJob[]> {
  const { results } = await db
    .prepare(
      `WITH ready AS (${line('j.not_before <= ?1')})
       SELECT id, user_id, infohash, bytes_total FROM ready
       WHERE max_active_jobs IS NULL OR rank + transfers <= max_active_jobs
       ORDER BY ${LINE_ORDER} LIMIT ?2`,
    )
    .bind(now, limit)
    .all<LineJob>()
  return results
}

/** `agentId` runs a download of `infohash` (see {@link contentOnAgents}). */
export const holding = (agentId: string, infohash: string) => `${agentId} ${infohash}`

/**
 * Which agents run a download of which of `infohashes` now (keys of {@link holding}). An agent's
 * torrent engine holds one torrent per content: a second job of the same content started there
 * would fail (two jobs whose choices of files do not cover each other download apart).
 */
export async function contentOnAgents(db: D1Database, infohashes: string[]): Promise<Set<string>> {
  if (!infohashes.length) return new Set()
  const { results } = await db
    .prepare(
      `SELECT j.agent_id, j.infohash FROM jobs j
       WHERE j.infohash IN (SELECT value FROM json_each(?)) AND j.agent_id IS NOT NULL
         AND j.status IN (${sqlList(RUNNING_STATUSES)}) AND j.follows_job_id IS NULL`,
    )
    .bind(JSON.stringify([...new Set(infohashes)]))
    .all<{ agent_id: string; infohash: string }>()
  return new Set(results.map((row) => holding(row.agent_id, row.infohash)))
}

/** A queued job's place in line and why it waits. */
export interface LinePlace {
  position: number
  waiting: JobWaiting
}

interface LineRow {
  id: string
  position: number
  queued_at: number | null
  not_before: number
  max_queue_wait_ms: number | null
  max_active_jobs: number | null
  transfers: number
}

/** The place in line of each job of `ids` that is in line now; a job missing from the map is not. */
export async function linePlaces(
  db: D1Database,
  ids: string[],
  now: number,
): Promise<Map<string, LinePlace>> {
  const { results } = await db
    .prepare(
      `WITH line AS (${LINE}),
       ranked AS (SELECT line.*, ROW_NUMBER() OVER (ORDER BY ${LINE_ORDER}) AS position FROM line)
       SELECT id, position, queued_at, not_before, max_queue_wait_ms, max_active_jobs, transfers
       FROM ranked WHERE id IN (SELECT value FROM json_each(?1))`,
    )
    .bind(JSON.stringify(ids))
    .all<LineRow>()
  return new Map(results.map((row) => [row.id, placeOf(row, now)]))
}

/**
 * The jobs as the API returns them: one waiting for dispatch with its place in the line (a
 * follower with its leader's). The line is read after the rows, so a job it dispatched in between
 * is read again and shown as it is now, never as `queued` without a place.
 */
export async function withPlaceInLine(db: D1Database, rows: JobRow[]): Promise<Job[]> {
  const placeOf = (row: JobRow) => row.follows_job_id ?? row.id
  const waiting = rows.filter((row) => isDispatchStatus(row.status))
  if (waiting.length === 0) return rows.map((row) => toJob(row))
  const places = await linePlaces(db, waiting.map(placeOf), Date.now())
  const movedOn = waiting.filter((row) => !places.has(placeOf(row)))
  const now = new Map(
    movedOn.length === 0
      ? []
      : (
          await getJobRows(
            db,
            movedOn.map((row) => row.id),
          )
        ).map((row) => [row.id, row]),
  )
  return rows.map((row) => {
    const current = now.get(row.id) ?? row
    return toJob(current, places.get(placeOf(current)))
  })
}

function placeOf(row: LineRow, now: number): LinePlace {
  const since = row.queued_at ?? now
  const gaveUpAt = row.max_queue_wait_ms === null ? null : since + row.max_queue_wait_ms
  const waiting: JobWaiting =
    row.not_before > now
      ? { reason: 'retry_later', since: iso(since), until: iso(row.not_before) }
      : {
          reason:
            row.max_active_jobs !== null && row.transfers >= row.max_active_jobs
              ? 'own_limit'
              : 'in_line',
          since: iso(since),
          until: gaveUpAt === null ? null : iso(gaveUpAt),
        }
  return { position: row.position, waiting }
}

/** Jobs that have waited in line longer than their owner's plan allows (up to 100). */
export async function listOverdueInLine(db: D1Database, now: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT j.id FROM jobs j JOIN users u ON u.id = j.user_id JOIN plans p ON p.id = u.plan_id
       WHERE ${IN_LINE} AND p.max_queue_wait_ms IS NOT NULL AND j.queued_at + p.max_queue_wait_ms <= ?
       LIMIT 100`,
    )
    .bind(now)
    .all<{ id: string }>()
  return results.map((r) => r.id)
}

/** When the next job in line waiting out a retry delay may be tried, if any does. */
export async function nextRetryAt(db: D1Database, now: number): Promise<number | null> {
  const row = await db
    .prepare(`SELECT MIN(j.not_before) AS at FROM jobs j WHERE ${IN_LINE} AND j.not_before > ?`)
    .bind(now)
    .first<{ at: number | null }>()
  return row?.at ?? null
}

/** The job joins the line now (a new place), or keeps its place; either way it may be tried at `notBefore`. */
export function lineUpStatement(
  db: D1Database,
  jobId: string,
  job: { at: number; notBefore: number; keepPlace: boolean },
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE jobs SET not_before = ?2,
         queued_at = CASE WHEN ?3 AND queued_at IS NOT NULL THEN queued_at ELSE ?1 END
       WHERE id = ?4`,
    )
    .bind(job.at, job.notBefore, job.keepPlace ? 1 : 0, jobId)
}

/** A healthy, undrained agent with free transfer slots. */
export interface AgentRoom {
  id: string
  url: string
  free_slots: number
  free_disk_bytes: number
}

/**
 * Agents that can take a job now: a heartbeat within `AGENT_STALE_MS`, not draining, free
 * transfer slots (its capacity less its transfers, as it reported or as the API assigned them,
 * whichever is more) and room for one more parked torrent; most free slots first.
 */
export async function agentsWithRoom(db: D1Database, now: number): Promise<AgentRoom[]> {
  const { results } = await db
    .prepare(
      `WITH load AS (
         SELECT a.*, MAX(a.transfers, (SELECT COUNT(*) FROM jobs j WHERE j.agent_id = a.id AND ${IS_TRANSFER})) AS busy
         FROM agents a WHERE a.last_heartbeat_at > ?1 AND a.draining = 0
       )
       SELECT id, url, capacity - busy AS free_slots, free_disk_bytes FROM load
       WHERE busy < capacity AND busy + parked_jobs < capacity + idle_capacity
       ORDER BY free_slots DESC, free_disk_bytes DESC`,
    )
    .bind(now - AGENT_STALE_MS)
    .all<AgentRoom>()
  return results
}
