import type { FileEntry, StoredFileEntry } from '@tseeder/shared'
import { mimeTypeOf } from '@tseeder/shared/mime'

function isSelected(selectedFiles: number[] | null, index: number): 0 | 1 {
  return !selectedFiles || selectedFiles.includes(index) ? 1 : 0
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
      db
        .prepare(
          `INSERT INTO job_files (id, job_id, file_index, path, size, mime_type, selected) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (job_id, file_index) DO UPDATE SET path = excluded.path, size = excluded.size`,
        )
        .bind(
          crypto.randomUUID(),
          jobId,
          f.index,
          f.path,
          f.size,
          mimeTypeOf(f.path),
          isSelected(selectedFiles, f.index),
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
  return files.map((f) =>
    db
      .prepare(
        `INSERT INTO job_files (id, job_id, file_index, path, size, mime_type, selected, storage_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (job_id, file_index) DO UPDATE SET storage_key = excluded.storage_key`,
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
      ),
  )
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
