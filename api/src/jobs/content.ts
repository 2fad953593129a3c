import type { StoredFileEntry } from '@tseeder/shared'
import { getContentFileCount } from '../db/content.ts'
import { listStoredFiles } from '../db/content-objects.ts'

/**
 * The stored objects of `infohash` when they hold every file a job needs (its selected files,
 * or all the torrent's files), or null: the test for instant availability. A torrent's file
 * indexes are its own and may have gaps (padding files are never stored), so "all files" is
 * "as many stored files as the torrent has", never the indexes `0..count-1`.
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
  const complete = selectedFiles
    ? selectedFiles.length > 0 && selectedFiles.every((i) => stored.has(i))
    : fileCount > 0 && stored.size >= fileCount
  return complete ? results : null
}
