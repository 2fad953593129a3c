import {
  ACTIVE_STATUSES,
  ENDED_STATUSES,
  PARKED_REASONS,
  RUNNING_STATUSES,
  isRunningStatus,
  type AdminJobQuery,
  type Job,
  type JobStatus,
  type JobWaiting,
} from '@tseeder/shared'
import { DAY, iso } from '../lib/time.ts'
import type { LinePlace } from './dispatch-line.ts'
import { keysetPage, type Page } from './pages.ts'
import { sqlList } from './sql.ts'

export interface JobRow {
  id: string
  user_id: string
  infohash: string
  name: string
  source: 'magnet' | 'torrent'
  magnet: string | null
  selected_files: string | null
  /** 1 while the job waits for its owner to choose files. */
  awaiting_files: number
  status: JobStatus
  progress_pct: number
  bytes_downloaded: number
  bytes_total: number
  download_speed: number
  upload_speed: number
  eta: number | null
  peers: number
  seeds: number
  error_code: string | null
  error_message: string | null
  stored_bytes: number
  agent_id: string | null
  attempt: number
  last_agent_seq: number
  follows_job_id: string | null
  /** The job's place in the dispatch line: when it joined it (kept when an agent is lost). */
  queued_at: number | null
  /** Not tried again before this (Unix ms) after an agent error; 0: now. */
  not_before: number
  /** Why the job, on an agent, moves no bytes (parked), since when and until when. */
  waiting_reason: 'metadata' | 'peers' | 'transfer_slot' | null
  waiting_since: number | null
  waiting_until: number | null
  created_at: number
  updated_at: number
  completed_at: number | null
  /** Selected files in storage, and the id of the only one (see `db/job-stored.ts`). */
  available_files: number
  single_file_id: string | null
}

export function selectedFilesOf(row: Pick<JobRow, 'selected_files'>): number[] | null {
  return row.selected_files ? (JSON.parse(row.selected_files) as number[]) : null
}

/** Why a job parked on an agent waits, from its row (a queued job's wait is the line's: see `db/dispatch-line.ts`). */
export function parkedWaitingOf(row: JobRow): JobWaiting | null {
  if (!row.waiting_reason || !isRunningStatus(row.status)) return null
  return {
    reason: row.waiting_reason,
    since: iso(row.waiting_since ?? row.updated_at),
    until: row.waiting_until === null ? null : iso(row.waiting_until),
  }
}

/**
 * The job as the API returns it (`line`: its place in line while queued), its members in the order
 * of the `Job` schema: `Job.parse` gives it back unchanged, so job lists are sent as built.
 */
export function toJob(row: JobRow, line?: LinePlace): Job {
  return {
    id: row.id,
    infohash: row.infohash,
    name: row.name,
    status: row.status,
    progressPct: row.progress_pct,
    bytesDownloaded: row.bytes_downloaded,
    bytesTotal: row.bytes_total,
    downloadSpeed: row.download_speed,
    uploadSpeed: row.upload_speed,
    eta: row.eta,
    peers: row.peers,
    seeds: row.seeds,
    waiting: line?.waiting ?? parkedWaitingOf(row),
    selectedFiles: selectedFilesOf(row),
    awaitingFiles: row.awaiting_files === 1,
    queuePosition: line?.position ?? null,
    ...(row.error_code
      ? { error: { code: row.error_code, message: row.error_message ?? '' } }
      : {}),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    ...(row.completed_at ? { completedAt: iso(row.completed_at) } : {}),
    availableFiles: row.available_files ?? 0,
    singleFileId: row.single_file_id ?? null,
  }
}

export function getJobRow(db: D1Database, id: string): Promise<JobRow | null> {
  return db.prepare('SELECT * FROM jobs WHERE id = ?').bind(id).first<JobRow>()
}

/** The jobs of `ids` that exist, in no particular order. */
export async function getJobRows(db: D1Database, ids: string[]): Promise<JobRow[]> {
  const { results } = await db
    .prepare('SELECT * FROM jobs WHERE id IN (SELECT value FROM json_each(?))')
    .bind(JSON.stringify(ids))
    .all<JobRow>()
  return results
}

/** The job if it belongs to `userId`; other tenants' jobs read as missing (404). */
export function getOwnJobRow(db: D1Database, id: string, userId: string): Promise<JobRow | null> {
  return db
    .prepare('SELECT * FROM jobs WHERE id = ? AND user_id = ?')
    .bind(id, userId)
    .first<JobRow>()
}

/** The user's own job for `infohash`, if they already asked for it. */
export function findUserJobByInfohash(
  db: D1Database,
  userId: string,
  infohash: string,
): Promise<JobRow | null> {
  return db
    .prepare('SELECT * FROM jobs WHERE user_id = ? AND infohash = ?')
    .bind(userId, infohash)
    .first<JobRow>()
}

/**
 * Whether a download of `selection` (null: every file) brings every file `wanted` (null: every
 * file) asks for: whether a job wanting `wanted` can ride on it.
 */
export function covers(selection: number[] | null, wanted: number[] | null): boolean {
  if (!selection) return true
  if (!wanted) return false
  const have = new Set(selection)
  return wanted.every((i) => have.has(i))
}

/**
 * The oldest job, other than `exceptId`, downloading `infohash` now on its own (not following),
 * whose download brings every file of `wanted` — or, with `orCoveredBy`, whose files `wanted`
 * brings (a job with more of the content may take it over).
 */
export async function findInFlightDownload(
  db: D1Database,
  infohash: string,
  wanted: number[] | null,
  { exceptId, orCoveredBy = false }: { exceptId?: string; orCoveredBy?: boolean } = {},
): Promise<JobRow | null> {
  const { results } = await db
    .prepare(
      `SELECT * FROM jobs WHERE infohash = ? AND id != ? AND follows_job_id IS NULL AND status IN (${sqlList(ACTIVE_STATUSES)}) ORDER BY created_at`,
    )
    .bind(infohash, exceptId ?? '')
    .all<JobRow>()
  return (
    results.find((row) => covers(selectedFilesOf(row), wanted)) ??
    (orCoveredBy ? results.find((row) => covers(wanted, selectedFilesOf(row))) : undefined) ??
    null
  )
}

/** A new job's row; the progress columns start at the leader's when it follows one. */
export interface NewJob {
  id: string
  userId: string
  infohash: string
  name: string
  source: JobRow['source']
  magnet: string | null
  selectedFiles: number[] | null
  awaitingFiles: boolean
  status: JobStatus
  bytesTotal: number
  progressPct: number
  bytesDownloaded: number
  followsJobId: string | null
  now: number
}

export function insertJobStatement(db: D1Database, job: NewJob): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO jobs (id, user_id, infohash, name, source, magnet, selected_files, awaiting_files, status,
         bytes_total, progress_pct, bytes_downloaded, follows_job_id, created_at, updated_at, queued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      job.id,
      job.userId,
      job.infohash,
      job.name,
      job.source,
      job.magnet,
      job.selectedFiles ? JSON.stringify(job.selectedFiles) : null,
      job.awaitingFiles ? 1 : 0,
      job.status,
      job.bytesTotal,
      job.progressPct,
      job.bytesDownloaded,
      job.followsJobId,
      job.now,
      job.now,
      job.now,
    )
}

/** Deletes the job; its file rows go with it (by cascade), which kills its signed links. */
export function deleteJobStatement(db: D1Database, id: string): D1PreparedStatement {
  return db.prepare('DELETE FROM jobs WHERE id = ?').bind(id)
}

/** Whether any job still refers to the content of `infohash`. */
export async function isInfohashReferenced(db: D1Database, infohash: string): Promise<boolean> {
  const row = await db
    .prepare('SELECT 1 FROM jobs WHERE infohash = ? LIMIT 1')
    .bind(infohash)
    .first()
  return row !== null
}

/** Up to 500 ended jobs whose owner's plan retention ran out before `now`. */
export async function listExpiredJobs(db: D1Database, now: number): Promise<JobRow[]> {
  const { results } = await db
    .prepare(
      `SELECT j.* FROM jobs j JOIN users u ON u.id = j.user_id JOIN plans p ON p.id = u.plan_id
       WHERE p.retention_days IS NOT NULL AND j.status IN (${sqlList(ENDED_STATUSES)})
         AND COALESCE(j.completed_at, j.updated_at) < ? - p.retention_days * ?
       LIMIT 500`,
    )
    .bind(now, DAY)
    .all<JobRow>()
  return results
}

/** Running jobs (followers aside) whose agent is gone or last heartbeat before `heartbeatBefore`. */
export async function listOrphanedJobIds(
  db: D1Database,
  heartbeatBefore: number,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT j.id FROM jobs j LEFT JOIN agents a ON a.id = j.agent_id
       WHERE j.status IN (${sqlList(RUNNING_STATUSES)}) AND j.follows_job_id IS NULL
         AND (a.id IS NULL OR a.last_heartbeat_at < ?)`,
    )
    .bind(heartbeatBefore)
    .all<{ id: string }>()
  return results.map((row) => row.id)
}

/** Jobs of `infohash` that are active or paused: those a new blocklist entry stops. */
export async function listUnfinishedJobIds(db: D1Database, infohash: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM jobs WHERE infohash = ? AND status IN (${sqlList([...ACTIVE_STATUSES, 'paused'])})`,
    )
    .bind(infohash)
    .all<{ id: string }>()
  return results.map((row) => row.id)
}

/** A page of jobs, newest first, of one user and/or in one status when given. */
export function listJobsPage(db: D1Database, options: AdminJobQuery): Promise<Page<JobRow>> {
  return keysetPage<JobRow>(db, {
    from: 'jobs',
    equals: { user_id: options.userId, status: options.status },
    cursor: options.cursor,
    limit: options.limit,
  })
}

// ---- lifecycle writes of the job's Durable Object --------------------------------------------

/** The lifecycle columns of a job row, as its Durable Object's state holds them. */
export interface JobLifecycleFields {
  jobId: string
  status: JobStatus
  progressPct: number
  bytesDownloaded: number
  bytesTotal: number
  downloadSpeed: number
  uploadSpeed: number
  eta: number | null
  peers: number
  seeds: number
  workerId: string | null
  attempt: number
  lastAgentSeq: number
  leaderId: string | null
  /** Why the job is parked on its agent (null or absent: it is not). */
  waiting?: JobWaiting | null
}

/**
 * Writes a job's lifecycle columns; `error` undefined keeps the recorded error, null clears it.
 * `completed_at` is set the first time the job completes.
 */
export function updateJobLifecycle(
  db: D1Database,
  job: JobLifecycleFields,
  error: { code: string; message: string } | null | undefined,
  at: number,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE jobs SET status = ?1, progress_pct = ?2, bytes_downloaded = ?3, bytes_total = ?4, download_speed = ?5,
         upload_speed = ?6, eta = ?7, peers = ?8, seeds = ?9, agent_id = ?10, attempt = ?11, last_agent_seq = ?12,
         follows_job_id = ?13, updated_at = ?14,
         error_code = CASE WHEN ?15 THEN ?16 ELSE error_code END,
         error_message = CASE WHEN ?15 THEN ?17 ELSE error_message END,
         completed_at = CASE WHEN ?1 = 'completed' THEN COALESCE(completed_at, ?14) ELSE completed_at END,
         waiting_reason = ?19, waiting_since = ?20, waiting_until = ?21
       WHERE id = ?18`,
    )
    .bind(
      job.status,
      job.progressPct,
      job.bytesDownloaded,
      job.bytesTotal,
      job.downloadSpeed,
      job.uploadSpeed,
      job.eta === null ? null : Math.round(job.eta),
      job.peers,
      job.seeds,
      job.workerId,
      job.attempt,
      job.lastAgentSeq,
      job.leaderId,
      at,
      error !== undefined ? 1 : 0,
      error?.code ?? null,
      error?.message ?? null,
      job.jobId,
      ...parkedColumns(job.waiting),
    )
}

/** The parked-waiting columns; a wait of the line's (in_line…) is never stored on the row. */
function parkedColumns(
  waiting: JobWaiting | null | undefined,
): [string | null, number | null, number | null] {
  if (!waiting || !PARKED.has(waiting.reason)) return [null, null, null]
  return [
    waiting.reason,
    Date.parse(waiting.since),
    waiting.until ? Date.parse(waiting.until) : null,
  ]
}
const PARKED = new Set<string>(PARKED_REASONS)

export function setJobName(db: D1Database, jobId: string, name: string): D1PreparedStatement {
  return db.prepare('UPDATE jobs SET name = ? WHERE id = ?').bind(name, jobId)
}

/** The owner's choice of files (null: all), which ends the wait for it. */
export function setJobSelection(
  db: D1Database,
  jobId: string,
  selectedFiles: number[] | null,
  bytesTotal: number,
): D1PreparedStatement {
  return db
    .prepare('UPDATE jobs SET selected_files = ?, awaiting_files = 0, bytes_total = ? WHERE id = ?')
    .bind(selectedFiles ? JSON.stringify(selectedFiles) : null, bytesTotal, jobId)
}

/** The job stops following another user's download of the same content. */
export function unfollowJob(db: D1Database, jobId: string): D1PreparedStatement {
  return db.prepare('UPDATE jobs SET follows_job_id = NULL WHERE id = ?').bind(jobId)
}

/** Jobs riding on `leaderId`'s download that still wait for it, first come first. */
export async function listActiveFollowers(db: D1Database, leaderId: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM jobs WHERE follows_job_id = ? AND status IN (${sqlList(ACTIVE_STATUSES)}) ORDER BY created_at`,
    )
    .bind(leaderId)
    .all<{ id: string }>()
  return results.map((r) => r.id)
}

/**
 * Leaders whose active followers wait on a download that is not happening: the leader is paused,
 * ended or gone. The cron hands their followers over, as the leader does when it stops.
 */
export async function listStrandedLeaderIds(db: D1Database): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT DISTINCT f.follows_job_id AS id FROM jobs f LEFT JOIN jobs l ON l.id = f.follows_job_id
       WHERE f.follows_job_id IS NOT NULL AND f.status IN (${sqlList(ACTIVE_STATUSES)})
         AND (l.id IS NULL OR l.follows_job_id IS NOT NULL OR l.status NOT IN (${sqlList(ACTIVE_STATUSES)}))`,
    )
    .all<{ id: string }>()
  return results.map((r) => r.id)
}

/**
 * `heir` downloads for itself now, and the other followers of `leaderId` follow it. Returns the
 * owners of the jobs it changed (each once).
 */
export async function handOverLeadership(
  db: D1Database,
  leaderId: string,
  heir: string,
): Promise<string[]> {
  const changed = await db.batch<{ user_id: string }>([
    db.prepare('UPDATE jobs SET follows_job_id = NULL WHERE id = ? RETURNING user_id').bind(heir),
    db
      .prepare('UPDATE jobs SET follows_job_id = ? WHERE follows_job_id = ? RETURNING user_id')
      .bind(heir, leaderId),
  ])
  return [...new Set(changed.flatMap(({ results }) => results.map((row) => row.user_id)))]
}

/**
 * The jobs following `from` follow `to` now (`from` itself started following `to`). Returns
 * the owners of the jobs it changed (each once).
 */
export async function moveFollowers(db: D1Database, from: string, to: string): Promise<string[]> {
  const { results } = await db
    .prepare('UPDATE jobs SET follows_job_id = ? WHERE follows_job_id = ? RETURNING user_id')
    .bind(to, from)
    .all<{ user_id: string }>()
  return [...new Set(results.map((row) => row.user_id))]
}

/** The job `id` while its row exists, as the targets of an `auditEachStatement` in its batch. */
export function jobById(id: string): { sql: string; binds: unknown[] } {
  return { sql: 'SELECT id FROM jobs WHERE id = ?', binds: [id] }
}
