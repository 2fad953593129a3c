import { HttpError } from '../lib/errors.ts'

/**
 * Refuses a choice of files naming a file the torrent does not have. A torrent's file indexes
 * are its own and may have gaps (padding files are never listed), so a selection is checked
 * against the indexes listed, never against `0..count-1`.
 */
export function checkSelectionExists(
  selected: readonly number[],
  indexes: readonly number[],
): void {
  const listed = new Set(indexes)
  const missing = selected.find((i) => !listed.has(i))
  if (missing === undefined) return
  throw new HttpError(
    400,
    'validation_failed',
    `Invalid body: selectedFiles names file ${missing}, which is not one of the torrent’s ${listed.size} files (${describeIndexes([...listed])}); use the indexes in the job’s file list.`,
    { issues: [{ path: ['selectedFiles'], message: `file ${missing} does not exist` }] },
  )
}

/** `0–9` for contiguous indices, else the first few: `0, 2, 4, …`. */
function describeIndexes(indices: number[]): string {
  if (!indices.length) return 'none'
  const sorted = indices.toSorted((a, b) => a - b)
  if (sorted.at(-1)! - sorted[0]! === sorted.length - 1) return `${sorted[0]}–${sorted.at(-1)}`
  return sorted.length > 5 ? `${sorted.slice(0, 5).join(', ')}, …` : sorted.join(', ')
}
