import type { StoredFileEntry } from '@tseeder/shared'

/** Every stored object of `infohash`, as the files they hold. */
export async function listStoredFiles(
  db: D1Database,
  infohash: string,
): Promise<StoredFileEntry[]> {
  const { results } = await db
    .prepare(
      'SELECT file_index AS "index", path, size, storage_key AS key, mime_type AS mimeType FROM content_objects WHERE infohash = ?',
    )
    .bind(infohash)
    .all<StoredFileEntry>()
  return results
}
