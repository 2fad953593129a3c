import type { StoredFileEntry } from '@tseeder/shared'

/** How many files the stored content of `infohash` has, or null when none is stored. */
export function getContentFileCount(db: D1Database, infohash: string): Promise<number | null> {
  return db
    .prepare('SELECT file_count FROM content WHERE infohash = ?')
    .bind(infohash)
    .first<number>('file_count')
}

/** The name the content of `infohash` was stored under, or null. */
export function getContentName(db: D1Database, infohash: string): Promise<string | null> {
  return db
    .prepare('SELECT name FROM content WHERE infohash = ?')
    .bind(infohash)
    .first<string>('name')
}

/** Forgets the content of `infohash` (its `content_objects` rows go with it, by cascade). */
export async function deleteContent(db: D1Database, infohash: string): Promise<void> {
  await db.prepare('DELETE FROM content WHERE infohash = ?').bind(infohash).run()
}

/**
 * Content stored once per info hash, for dedup: the torrent's entry and its objects. The name is
 * the job's; the file count is at least the job's file list's length.
 */
export function recordContent(
  db: D1Database,
  infohash: string,
  jobId: string,
  objects: readonly (StoredFileEntry & { mimeType: string })[],
  at: number,
): D1PreparedStatement[] {
  const total = objects.reduce((sum, f) => sum + f.size, 0)
  return [
    db
      .prepare(
        `INSERT INTO content (infohash, name, bytes_total, file_count, stored_at, last_used_at)
         VALUES (?1, (SELECT name FROM jobs WHERE id = ?2), ?3, MAX(?4, (SELECT COUNT(*) FROM job_files WHERE job_id = ?2)), ?5, ?5)
         ON CONFLICT (infohash) DO UPDATE SET last_used_at = excluded.last_used_at,
           bytes_total = MAX(content.bytes_total, excluded.bytes_total), file_count = MAX(content.file_count, excluded.file_count)`,
      )
      .bind(infohash, jobId, total, objects.length, at),
    ...objects.map((f) =>
      db
        .prepare(
          `INSERT INTO content_objects (infohash, file_index, storage_key, size, mime_type, path, crc32) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (infohash, file_index) DO UPDATE SET storage_key = excluded.storage_key, size = excluded.size, path = excluded.path,
             crc32 = COALESCE(excluded.crc32, content_objects.crc32)`,
        )
        .bind(infohash, f.index, f.key, f.size, f.mimeType, f.path, f.crc32 ?? null),
    ),
  ]
}
