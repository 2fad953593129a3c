import type { Job, JobFile, JobStatus } from '@tseeder/shared'
import { iso } from '../lib/time.ts'

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
