import {
  ACTIVE_STATUSES,
  ENDED_STATUSES,
  RUNNING_STATUSES,
  DISPATCH_STATUSES,
  type Job,
  type JobStatus,
} from '@tseeder/shared'
import { DAY, iso } from '../lib/time.ts'
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
  created_at: number
  updated_at: number
  completed_at: number | null
}

export function selectedFilesOf(row: Pick<JobRow, 'selected_files'>): number[] | null {
  return row.selected_files ? (JSON.parse(row.selected_files) as number[]) : null
}

export function toJob(row: JobRow): Job {
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
    selectedFiles: selectedFilesOf(row),
    awaitingFiles: row.awaiting_files === 1,
    ...(row.error_code
      ? { error: { code: row.error_code, message: row.error_message ?? '' } }
      : {}),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    ...(row.completed_at ? { completedAt: iso(row.completed_at) } : {}),
  }
}

export function getJobRow(db: D1Database, id: string): Promise<JobRow | null> {
  return db.prepare('SELECT * FROM jobs WHERE id = ?').bind(id).first<JobRow>()
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

/** Jobs downloading `infohash` now on their own (followers aside), oldest first. */
export async function listDownloadingLeaders(db: D1Database, infohash: string): Promise<JobRow[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM jobs WHERE infohash = ? AND follows_job_id IS NULL AND status IN (${sqlList(ACTIVE_STATUSES)}) ORDER BY created_at`,
    )
    .bind(infohash)
    .all<JobRow>()
  return results
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
         bytes_total, progress_pct, bytes_downloaded, follows_job_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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

/** Jobs (followers aside) waiting for a dispatch since before `updatedBefore`. */
export async function listJobsAwaitingDispatch(
  db: D1Database,
  updatedBefore: number,
): Promise<JobRow[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM jobs WHERE status IN (${sqlList(DISPATCH_STATUSES)}) AND follows_job_id IS NULL AND updated_at < ?`,
    )
    .bind(updatedBefore)
    .all<JobRow>()
  return results
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
export function listJobsPage(
  db: D1Database,
  options: {
    userId?: string | undefined
    status?: JobStatus | undefined
    cursor: string | undefined
    limit: number
  },
): Promise<Page<JobRow>> {
  const where: [string, unknown][] = []
  if (options.userId) where.push(['user_id = ?', options.userId])
  if (options.status) where.push(['status = ?', options.status])
  return keysetPage<JobRow>(db, {
    from: 'jobs',
    where,
    cursor: options.cursor,
    limit: options.limit,
  })
}
