import { ACTIVE_STATUSES, type Job, type JobFile, type JobStatus } from '@tseeder/shared'
import { iso } from '../lib/time.ts'
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

export interface JobFileRow {
  id: string
  job_id: string
  file_index: number
  path: string
  size: number
  mime_type: string
  selected: number
  storage_key: string | null
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

export function toJobFile(row: JobFileRow): JobFile {
  return {
    id: row.id,
    index: row.file_index,
    path: row.path,
    size: row.size,
    mimeType: row.mime_type,
    selected: row.selected === 1,
    available: row.storage_key !== null,
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

export async function listJobFileRows(db: D1Database, jobId: string): Promise<JobFileRow[]> {
  const { results } = await db
    .prepare('SELECT * FROM job_files WHERE job_id = ? ORDER BY file_index')
    .bind(jobId)
    .all<JobFileRow>()
  return results
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
         completed_at = CASE WHEN ?1 = 'completed' THEN COALESCE(completed_at, ?14) ELSE completed_at END
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
    )
}

export function setJobName(db: D1Database, jobId: string, name: string): D1PreparedStatement {
  return db.prepare('UPDATE jobs SET name = ? WHERE id = ?').bind(name, jobId)
}

export function setJobStoredBytes(
  db: D1Database,
  jobId: string,
  bytes: number,
): D1PreparedStatement {
  return db.prepare('UPDATE jobs SET stored_bytes = ? WHERE id = ?').bind(bytes, jobId)
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

/** Jobs riding on `leaderId`'s download that still wait for it. */
export async function listActiveFollowers(db: D1Database, leaderId: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM jobs WHERE follows_job_id = ? AND status IN (${sqlList(ACTIVE_STATUSES)})`,
    )
    .bind(leaderId)
    .all<{ id: string }>()
  return results.map((r) => r.id)
}

/** `heir` downloads for itself now, and the other followers of `leaderId` follow it. */
export async function handOverLeadership(
  db: D1Database,
  leaderId: string,
  heir: string,
): Promise<void> {
  await db.batch([
    unfollowJob(db, heir),
    db.prepare('UPDATE jobs SET follows_job_id = ? WHERE follows_job_id = ?').bind(heir, leaderId),
  ])
}
