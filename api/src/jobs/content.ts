import type { StoredFileEntry } from '@tseeder/shared'

/**
 * The stored objects of `infohash` when they hold every file a job needs (its selected files,
 * or all the torrent's files), or null: the test for instant availability.
 */
export async function storedContentFor(
  db: D1Database,
  infohash: string,
  selectedFiles: number[] | null,
): Promise<StoredFileEntry[] | null> {
  const fileCount = await db
    .prepare('SELECT file_count FROM content WHERE infohash = ?')
    .bind(infohash)
    .first<number>('file_count')
  if (fileCount === null) return null
  const { results } = await db
    .prepare(
      'SELECT file_index AS "index", path, size, storage_key AS key, mime_type AS mimeType FROM content_objects WHERE infohash = ?',
    )
    .bind(infohash)
    .all<StoredFileEntry>()
  const stored = new Set(results.map((o) => o.index))
  const needed = selectedFiles ?? Array.from({ length: fileCount }, (_, i) => i)
  return needed.length > 0 && needed.every((i) => stored.has(i)) ? results : null
}
