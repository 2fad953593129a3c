import type { FileEntry, JobFile, PlanId, StoredFileEntry } from '@tseeder/shared'
import { mimeTypeOf } from '@tseeder/shared/mime'

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
       SELECT lower(hex(randomblob(16))), ?, file_index, path, size, mime_type, 1 FROM job_files WHERE job_id = ?`,
    )
    .bind(jobId, fromJobId)
}

/** Why the file's content is on the blocklist (null when it is not): blocked copies stay unserved. */
interface BlockedReason {
  blocked_reason: string | null
}

/** The file if its job belongs to `userId`; other tenants' files read as missing. */
export function getOwnJobFile(
  db: D1Database,
  fileId: string,
  userId: string,
): Promise<(JobFileRow & BlockedReason) | null> {
  return db
    .prepare(
      `SELECT f.*, b.reason AS blocked_reason FROM job_files f JOIN jobs j ON j.id = f.job_id
       LEFT JOIN blocklist b ON b.infohash = j.infohash WHERE f.id = ? AND j.user_id = ?`,
    )
    .bind(fileId, userId)
    .first()
}

/**
 * The file a download link names, with its owner's plan, while the file still exists, belongs
 * to `userId` and that user is not suspended.
 */
export function getDownloadableFile(
  db: D1Database,
  fileId: string,
  userId: string,
): Promise<(JobFileRow & BlockedReason & { plan_id: PlanId }) | null> {
  return db
    .prepare(
      `SELECT f.*, u.plan_id, b.reason AS blocked_reason FROM job_files f JOIN jobs j ON j.id = f.job_id
       JOIN users u ON u.id = j.user_id LEFT JOIN blocklist b ON b.infohash = j.infohash
       WHERE f.id = ? AND j.user_id = ? AND u.suspended = 0`,
    )
    .bind(fileId, userId)
    .first()
}

function isSelected(selectedFiles: number[] | null, index: number): 0 | 1 {
  return !selectedFiles || selectedFiles.includes(index) ? 1 : 0
}

/** What a new row updates of an existing one: the listing (path, size) or the stored object. */
const ON_CONFLICT = {
  listing: 'path = excluded.path, size = excluded.size',
  storage: 'storage_key = excluded.storage_key',
} as const

function upsertJobFile(
  db: D1Database,
  jobId: string,
  f: FileEntry & { mimeType: string; key: string | null },
  selectedFiles: number[] | null,
  update: keyof typeof ON_CONFLICT,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO job_files (id, job_id, file_index, path, size, mime_type, selected, storage_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (job_id, file_index) DO UPDATE SET ${ON_CONFLICT[update]}`,
    )
    .bind(
      crypto.randomUUID(),
      jobId,
      f.index,
      f.path,
      f.size,
      f.mimeType,
      isSelected(selectedFiles, f.index),
      f.key,
    )
}

/** The torrent's file list, once known: replaces the files not yet stored. */
export function recordJobFiles(
  db: D1Database,
  jobId: string,
  files: readonly FileEntry[],
  selectedFiles: number[] | null,
): D1PreparedStatement[] {
  return [
    db.prepare('DELETE FROM job_files WHERE job_id = ? AND storage_key IS NULL').bind(jobId),
    ...files.map((f) =>
      upsertJobFile(
        db,
        jobId,
        { ...f, mimeType: mimeTypeOf(f.path), key: null },
        selectedFiles,
        'listing',
      ),
    ),
  ]
}

/** Files now in storage: linkable for this job. */
export function recordStoredJobFiles(
  db: D1Database,
  jobId: string,
  files: readonly (StoredFileEntry & { mimeType: string })[],
  selectedFiles: number[] | null,
): D1PreparedStatement[] {
  return files.map((f) => upsertJobFile(db, jobId, f, selectedFiles, 'storage'))
}
/** Marks the chosen files selected and the others not. */
export function selectJobFiles(
  db: D1Database,
  jobId: string,
  chosen: readonly number[],
): D1PreparedStatement {
  return db
    .prepare(
      'UPDATE job_files SET selected = (file_index IN (SELECT value FROM json_each(?))) WHERE job_id = ?',
    )
    .bind(JSON.stringify(chosen), jobId)
}

/** Each file's index and size, as the job's file list holds them. */
export async function listJobFileSizes(
  db: D1Database,
  jobId: string,
): Promise<{ index: number; size: number }[]> {
  const { results } = await db
    .prepare('SELECT file_index AS "index", size FROM job_files WHERE job_id = ?')
    .bind(jobId)
    .all<{ index: number; size: number }>()
  return results
}

/** A job's name and file list, as its metadata brought them (none before it came). */
export async function jobMetadata(
  db: D1Database,
  jobId: string,
): Promise<{ name: string; files: FileEntry[] } | undefined> {
  const [job, files] = await db.batch<{ name: string } & FileEntry>([
    db.prepare('SELECT name FROM jobs WHERE id = ?').bind(jobId),
    db
      .prepare(
        'SELECT file_index AS "index", path, size FROM job_files WHERE job_id = ? ORDER BY file_index',
      )
      .bind(jobId),
  ])
  const name = job?.results[0]?.name
  if (name === undefined || !files?.results.length) return undefined
  return { name, files: files.results.map(({ index, path, size }) => ({ index, path, size })) }
}

/**
 * The name and file list of `infohash` as the first job of it whose metadata came recorded them
 * (the same for every job: the info hash is the hash of that metadata); none yet: undefined.
 */
export async function knownMetadata(
  db: D1Database,
  infohash: string,
): Promise<{ name: string; files: FileEntry[] } | undefined> {
  const job = await db
    .prepare(
      `SELECT j.id FROM jobs j WHERE j.infohash = ?
         AND EXISTS (SELECT 1 FROM job_files f WHERE f.job_id = j.id)
       ORDER BY j.created_at LIMIT 1`,
    )
    .bind(infohash)
    .first<{ id: string }>()
  return job ? jobMetadata(db, job.id) : undefined
}
