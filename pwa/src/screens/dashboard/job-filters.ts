import type { Job } from '@tseeder/shared'

/** Filter chips, in the order a person scans them. */
export const FILTER_STATUSES = [
  'downloading',
  'queued',
  'metadata_fetch',
  'paused',
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly Job['status'][]

/** Case-insensitive match of every word of `query` against the job's name. */
export function matchesSearch(job: Pick<Job, 'name'>, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  const name = job.name.toLowerCase()
  return words.every((word) => name.includes(word))
}
