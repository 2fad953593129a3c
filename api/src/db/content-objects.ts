import type { StoredFileEntry } from '@tseeder/shared'

/** Every stored object of `infohash`, as the files they hold. */
export async function listStoredFiles(
  db: D1Database,
  infohash: string,
): Promise<StoredFileEntry[]> {
  const { results } = await db
    .prepare(
      'SELECT file_index AS "index", path, size, storage_key AS key, mime_type AS mimeType, crc32 FROM content_objects WHERE infohash = ?',
    )
    .bind(infohash)
    .all<StoredFileEntry & { crc32: number | null }>()
  return results.map(({ crc32, ...file }) => (crc32 === null ? file : { ...file, crc32 }))
}
