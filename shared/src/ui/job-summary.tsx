import type { ReactNode } from 'react'
import { formatBytes, formatEta, formatPercent, formatSpeed } from '../format.ts'
import type { Job } from '../schemas/job.ts'
import { isWaiting, waitingText } from '../waiting.ts'
import { ProgressBar } from './progress-bar.tsx'
import { StatusBadge, statusTone } from './status-badge.tsx'
import { useNow } from './use-now.ts'

export interface JobSummaryProps {
  job: Job
  /** The job's name, as a link where the host app has one. */
  title?: ReactNode
  /** Buttons or links shown under the figures. */
  actions?: ReactNode
  compact?: boolean
  /** The owner's plan's transfers at a time, named when the job waits for its own transfers. */
  maxTransfers?: number | null
  /**
   * The figures are the last known, not live (offline): speed, time left and peers, which only
   * mean something now, are left out; the host app says how old the data is.
   */
  stale?: boolean
}

/**
 * One job as both the PWA dashboard and the extension popup show it: name, status, progress,
 * speed, ETA, peers/seeds and size; for a job that waits (in line, or parked on an agent), why
 * and until when, in words that follow the clock.
 */
export function JobSummary({
  job,
  title,
  actions,
  compact = false,
  maxTransfers,
  stale = false,
}: JobSummaryProps) {
  const waiting = isWaiting(job)
  const now = useNow(waiting)
  const waitText = waiting ? waitingText(job, { now, maxTransfers }) : null
  // A waiting job shows what it already has; empty figures ("0 B of ?") would say nothing.
  const figures = !waiting || job.bytesDownloaded > 0
  const running = !stale && !waiting && (job.status === 'downloading' || job.status === 'uploading')
  // Once every byte is down, what is left to wait for is storage.
  const stored = job.status === 'uploading' ? job.bytesStored : undefined
  return (
    <article
      className="ts-job"
      data-status={job.status}
      data-waiting={waiting ? (job.waiting?.reason ?? 'in_line') : undefined}
      data-compact={compact || undefined}
      data-stale={stale || undefined}
    >
      <header className="ts-job-head">
        <h3 className="ts-job-name" title={job.name}>
          {title ?? job.name}
        </h3>
        <StatusBadge status={job.status} />
      </header>
      {figures && (
        <>
          <ProgressBar
            value={job.progressPct}
            label={`Progress of ${job.name}`}
            tone={waiting ? 'idle' : statusTone(job.status)}
          />
          <p className="ts-job-figures">
            <span>{formatPercent(job.progressPct)}</span>
            <span>
              {formatBytes(job.bytesDownloaded)} of{' '}
              {job.bytesTotal ? formatBytes(job.bytesTotal) : '?'}
            </span>
            {stored !== undefined ? (
              <span>{formatBytes(stored)} stored</span>
            ) : (
              running && (
                <>
                  <span aria-label="Download speed">↓ {formatSpeed(job.downloadSpeed)}</span>
                  <span aria-label="Time left">ETA {formatEta(job.eta)}</span>
                </>
              )
            )}
            {running && !compact && (
              <span>
                {plural(job.peers, 'peer')} · {plural(job.seeds, 'seed')}
              </span>
            )}
          </p>
        </>
      )}
      {waitText && <p className="ts-job-waiting">{waitText}</p>}
      {job.error && job.status === 'failed' && (
        <p className="ts-job-error" role="status">
          {job.error.message}
        </p>
      )}
      {actions && <div className="ts-job-actions">{actions}</div>}
    </article>
  )
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
