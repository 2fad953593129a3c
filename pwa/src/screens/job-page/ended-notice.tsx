import type { Job } from '@tseeder/shared'
import { EmptyState } from '../../ui/states.tsx'
import type { JobActions } from '../job-actions/use-job-actions.tsx'

/** The link a cancelled job is added again from: its info hash and its name. */
export function readdLink(job: Pick<Job, 'infohash' | 'name'>): string {
  return `magnet:?xt=urn:btih:${job.infohash}&dn=${encodeURIComponent(job.name)}`
}

/**
 * In place of the file list for a job that ended before its file list was known: what happened
 * and the way forward. A cancelled job is final in the lifecycle, so "add it again" removes it
 * and opens the Add page with its link; a failed one is retried.
 */
export function EndedNotice({
  job,
  actions,
  onReadd,
}: {
  job: Job
  actions: JobActions
  onReadd(): void
}) {
  const cancelled = job.status === 'cancelled'
  const running = actions.pending[job.id] !== undefined
  return (
    <div className="job-ended">
      <EmptyState title={cancelled ? 'This job was cancelled' : 'This job failed'}>
        <p>
          {cancelled
            ? 'It was cancelled before its file list was known, so nothing was downloaded. Add it again to start over (this job is removed and the Add page opens with its link), or delete it.'
            : `${job.error?.message ?? 'It stopped before its file list was known.'} Retry puts it back in line; Delete removes it.`}
        </p>
        <div className="button-row">
          <button
            type="button"
            className="button button-primary"
            disabled={running}
            onClick={cancelled ? onReadd : () => void actions.run(job, 'retry')}
          >
            {cancelled ? 'Add it again' : 'Retry'}
          </button>
          <button
            type="button"
            className="button button-subtle-danger"
            disabled={running}
            onClick={() => void actions.run(job, 'delete')}
          >
            Delete
          </button>
        </div>
      </EmptyState>
    </div>
  )
}
