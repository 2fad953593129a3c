import type { JobStatus, PlanId } from '@tseeder/shared'

/** A job as a zip of its files needs it, with its owner's plan and any blocklist reason. */
export interface ZipJobRow {
  id: string
  name: string
  status: JobStatus
  completed_at: number | null
  updated_at: number
  plan_id: PlanId
  blocked_reason: string | null
}

/** The job while it exists, belongs to `userId` and that user is not suspended. */
export function getZipJob(
  db: D1Database,
  jobId: string,
  userId: string,
): Promise<ZipJobRow | null> {
  return db
    .prepare(
      `SELECT j.id, j.name, j.status, j.completed_at, j.updated_at, u.plan_id, b.reason AS blocked_reason
       FROM jobs j JOIN users u ON u.id = j.user_id LEFT JOIN blocklist b ON b.infohash = j.infohash
       WHERE j.id = ? AND j.user_id = ? AND u.suspended = 0`,
    )
    .bind(jobId, userId)
    .first()
}

/** A file of the job, with its stored object and that object's CRC-32 (null when not recorded). */
export interface ZipFileRow {
  path: string
  size: number
  storage_key: string | null
  crc32: number | null
}

/**
 * Every file of the job in torrent order; the CRC-32 is the content object's, shared by every
 * job of the same content.
 */
export async function listZipFiles(db: D1Database, jobId: string): Promise<ZipFileRow[]> {
  const { results } = await db
    .prepare(
      `SELECT f.path, f.size, f.storage_key, co.crc32 FROM job_files f JOIN jobs j ON j.id = f.job_id
       LEFT JOIN content_objects co ON co.infohash = j.infohash AND co.file_index = f.file_index
       WHERE f.job_id = ? ORDER BY f.file_index`,
    )
    .bind(jobId)
    .all<ZipFileRow>()
  return results
}
