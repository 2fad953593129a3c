import type { FileEntry, JobFile, PlanId } from '@tseeder/shared'

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

export async function listJobFileRows(db: D1Database, jobId: string): Promise<JobFileRow[]> {
  const { results } = await db
    .prepare('SELECT * FROM job_files WHERE job_id = ? ORDER BY file_index')
    .bind(jobId)
    .all<JobFileRow>()
  return results
}

export function insertJobFileStatement(
  db: D1Database,
  jobId: string,
  file: FileEntry & { mimeType: string; selected: boolean },
): D1PreparedStatement {
  return db
    .prepare(
      'INSERT INTO job_files (id, job_id, file_index, path, size, mime_type, selected) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    .bind(
      crypto.randomUUID(),
      jobId,
      file.index,
      file.path,
      file.size,
      file.mimeType,
      file.selected ? 1 : 0,
    )
}

/** Gives `jobId` the file list of `fromJobId` (a follower's, from its leader), every file selected. */
export function copyJobFilesStatement(
  db: D1Database,
  jobId: string,
  fromJobId: string,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO job_files (id, job_id, file_index, path, size, mime_type, selected)
       SELECT lower(hex(randomblob(16))), ?, file_index, path, size, mime_type, ? FROM job_files WHERE job_id = ?`,
    )
    .bind(jobId, 1, fromJobId)
}

/** The file if its job belongs to `userId`; other tenants' files read as missing. */
export function getOwnJobFile(
  db: D1Database,
  fileId: string,
  userId: string,
): Promise<JobFileRow | null> {
  return db
    .prepare(
      'SELECT f.* FROM job_files f JOIN jobs j ON j.id = f.job_id WHERE f.id = ? AND j.user_id = ?',
    )
    .bind(fileId, userId)
    .first<JobFileRow>()
}

/**
 * The file a download link names, with its owner's plan, while the file still exists, belongs
 * to `userId` and that user is not suspended.
 */
export function getDownloadableFile(
  db: D1Database,
  fileId: string,
  userId: string,
): Promise<(JobFileRow & { plan_id: PlanId }) | null> {
  return db
    .prepare(
      `SELECT f.*, u.plan_id FROM job_files f JOIN jobs j ON j.id = f.job_id JOIN users u ON u.id = j.user_id
       WHERE f.id = ? AND j.user_id = ? AND u.suspended = 0`,
    )
    .bind(fileId, userId)
    .first()
}
