import { formatClockTime, formatOrdinal, isWaiting, type Job } from '@tseeder/shared'
import { useNow } from '@tseeder/shared/ui'

/**
 * The job page's figures for a job that waits, under the line `JobSummary` shows: its place in
 * line, since when it waits, and when it gives up (or, after an agent failed, is tried again).
 */
export function WaitingDetails({ job }: { job: Job }) {
  const waiting = isWaiting(job)
  // Only "today or another day" depends on the time here: a minute is precise enough.
  const now = useNow(waiting, 60_000)
  if (!waiting) return null
  const { queuePosition } = job
  const { since, until, reason } = job.waiting ?? {}
  const entries: [string, string][] = []
  if (queuePosition !== null) entries.push(['Place in line', formatOrdinal(queuePosition)])
  if (since) entries.push(['Waiting since', formatClockTime(since, now)])
  if (until) {
    const label = reason === 'retry_later' ? 'Tried again at' : 'Gives up at'
    entries.push([label, formatClockTime(until, now)])
  }
  if (entries.length === 0) return null
  return (
    <ul className="job-waiting-details" aria-label="Waiting details">
      {entries.map(([term, value]) => (
        <li key={term}>
          <span>{term}</span>
          <strong>{value}</strong>
        </li>
      ))}
    </ul>
  )
}
