import type { FileBytes, JobFile } from '@tseeder/shared'
import { toJobFile, type JobFileRow } from '../db/job-files.ts'

/**
 * A job's files as `GET /api/jobs/:id` shows them: each with the bytes its agent last reported
 * (`fileBytes`, from the job's Durable Object, or its leader's for a follower), its size once
 * available, nothing before any report.
 */
export function filesWithProgress(
  rows: readonly JobFileRow[],
  fileBytes: Readonly<FileBytes> | undefined,
): JobFile[] {
  return rows.map((row) => {
    const file = toJobFile(row)
    const bytes = file.available ? file.size : fileBytes?.[file.index]
    return bytes === undefined ? file : { ...file, bytesDownloaded: Math.min(bytes, file.size) }
  })
}
