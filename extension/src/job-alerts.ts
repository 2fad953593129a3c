// Badge count and completion notifications, as pure functions of the job list.
import { isActiveStatus, type Job } from '@tseeder/shared'

/** How many of the user's jobs hold or wait for an agent. */
export function activeJobCount(jobs: readonly Job[]): number {
  return jobs.filter((job) => isActiveStatus(job.status)).length
}

/** The toolbar badge for a count: nothing at zero, "99+" past 99. */
export function badgeText(count: number): string {
  if (count <= 0) return ''
  return count > 99 ? '99+' : String(count)
}

/** Remembered ids are capped so storage does not grow with the account's history. */
export const NOTIFIED_MEMORY = 500

/**
 * Jobs that completed or failed and have not been announced yet. Jobs that finished before the
 * extension was connected (`since`) are not announced: they are old news.
 */
export function jobsToNotify(
  jobs: readonly Job[],
  notified: readonly string[],
  since: string,
): Job[] {
  const seen = new Set(notified)
  return jobs.filter(
    (job) =>
      (job.status === 'completed' || job.status === 'failed') &&
      !seen.has(job.id) &&
      (job.completedAt ?? job.updatedAt) >= since,
  )
}

/** The notified list with `ids` added, oldest forgotten first past {@link NOTIFIED_MEMORY}. */
export function rememberNotified(notified: readonly string[], ids: readonly string[]): string[] {
  const next = [...notified.filter((id) => !ids.includes(id)), ...ids]
  return next.slice(-NOTIFIED_MEMORY)
}

export function completionMessage(job: Job): { title: string; message: string } {
  return job.status === 'completed'
    ? { title: 'Download complete', message: job.name }
    : {
        title: 'Download failed',
        message: `${job.name}: ${job.error?.message ?? 'the job failed'}`,
      }
}
