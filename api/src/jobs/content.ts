import type { StoredFileEntry } from '@tseeder/shared'
import { getContentFileCount } from '../db/content.ts'
import { listStoredFiles } from '../db/content-objects.ts'

/**
 * The stored objects of `infohash` when they hold every file a job needs (its selected files,
 * or all the torrent's files), or null: the test for instant availability.
 */
export async function storedContentFor(
  db: D1Database,
  infohash: string,
  selectedFiles: number[] | null,
): Promise<StoredFileEntry[] | null> {
  const fileCount = await getContentFileCount(db, infohash)
  if (fileCount === null) return null
  const results = await listStoredFiles(db, infohash)
  const stored = new Set(results.map((o) => o.index))
  const needed = selectedFiles ?? Array.from({ length: fileCount }, (_, i) => i)
  return needed.length > 0 && needed.every((i) => stored.has(i)) ? results : null
}
