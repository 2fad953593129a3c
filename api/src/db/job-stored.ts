// What a job's stored files add up to on its row, written with them: the bytes it counts toward
// its owner's storage, and what its list entry offers to download.

/** The bytes the job counts toward its owner's storage quota. */
export function setJobStoredBytes(
  db: D1Database,
  jobId: string,
  bytes: number,
): D1PreparedStatement {
  return db.prepare('UPDATE jobs SET stored_bytes = ? WHERE id = ?').bind(bytes, jobId)
}

/**
 * Counts the job's downloadable files (selected and stored) and keeps the id of the only one, so
 * job lists can offer a download without reading file lists. Run after its files are stored.
 */
export function setJobDownloads(db: D1Database, jobId: string): D1PreparedStatement {
  const downloadable =
    'FROM job_files WHERE job_id = ?1 AND selected = 1 AND storage_key IS NOT NULL'
  return db
    .prepare(
      `UPDATE jobs SET available_files = (SELECT COUNT(*) ${downloadable}),
         single_file_id = (SELECT CASE WHEN COUNT(*) = 1 THEN MIN(id) END ${downloadable})
       WHERE id = ?1`,
    )
    .bind(jobId)
}
