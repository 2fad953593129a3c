import type { ZipFileRow, ZipJobRow } from '../db/zip-files.ts'
import { HttpError } from './errors.ts'
import { layoutZip, type ZipLayout, type ZipSource } from './zip-layout.ts'

/** What a zip of a job (or one folder of it) holds, before any byte is read. */
export interface ZipArchive {
  layout: ZipLayout
  /** The archive's file name. */
  name: string
  /** A fingerprint of every name, size, CRC and the time: links carry it, `/dl/zip/` checks it. */
  version: string
}

const encoder = new TextEncoder()

/** The last segment of a `/`-separated path. */
function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

async function fingerprint(sources: readonly ZipSource[], modified: number): Promise<string> {
  const text = JSON.stringify([modified, sources.map((s) => [s.name, s.size, s.crc32, s.key])])
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
  return [...digest.subarray(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * The archive of the job's stored files under `folder` ('' for all), named as the file list shows
 * them: the whole job keeps each path; a folder's files keep their path from the folder itself
 * on (`a/b` holds `a/b/c.txt` as `b/c.txt`). Throws the HttpError a user reads when the job has
 * no such folder, is not completed, or holds files stored before their CRC-32 was recorded.
 */
export async function planZip(
  job: ZipJobRow,
  files: readonly ZipFileRow[],
  folder: string,
): Promise<ZipArchive> {
  const prefix = folder ? `${folder}/` : ''
  const inFolder = files.filter((f) => f.path.startsWith(prefix))
  if (inFolder.length === 0) {
    throw new HttpError(404, 'not_found', `This job has no folder "${folder}".`)
  }
  if (job.status !== 'completed') {
    throw new HttpError(
      409,
      'job_not_completed',
      'A zip can be made once the job has completed; it is still in progress.',
    )
  }
  const stored = inFolder.filter((f) => f.storage_key !== null)
  if (stored.length === 0) {
    throw new HttpError(409, 'conflict', 'None of these files is in storage.')
  }
  const unchecked = stored.filter((f) => f.crc32 === null)
  if (unchecked.length > 0) {
    throw new HttpError(
      409,
      'zip_needs_checksums',
      `${unchecked.length === stored.length ? 'These files were' : `${unchecked.length} of these files (such as "${unchecked[0]!.path}") were`} stored before tseeder recorded the checksums a zip needs, so they cannot be zipped; download them one by one instead.`,
    )
  }
  const strip = folder ? folder.length - baseName(folder).length : 0
  const sources: ZipSource[] = stored.map((f) => ({
    name: f.path.slice(strip),
    size: f.size,
    crc32: f.crc32!,
    key: f.storage_key!,
  }))
  const modified = job.completed_at ?? job.updated_at
  return {
    layout: layoutZip(sources, new Date(modified)),
    name: `${folder ? baseName(folder) : job.name}.zip`,
    version: await fingerprint(sources, modified),
  }
}
