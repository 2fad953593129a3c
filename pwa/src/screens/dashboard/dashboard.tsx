import { isJobStatus, type JobStatus, STATUS_LABELS } from '@tseeder/shared'
import { JobSummary } from '@tseeder/shared/ui'
import { useEffect } from 'react'
import { Link, useSearchParams } from 'react-router'
import { liveJobs, useLiveJobs } from '../../app/live.ts'
import { isStale, useOffline } from '../../app/offline.ts'
import { useRefreshWhileQueued } from '../../app/queue-refresh.ts'
import { useMe } from '../../app/session.tsx'
import { Icon } from '../../ui/icon.tsx'
import { EmptyState, ErrorState, LoadingState, errorMessage } from '../../ui/states.tsx'
import { JobActionButtons } from '../job-actions/job-action-buttons.tsx'
import { useJobActions } from '../job-actions/use-job-actions.tsx'
import { FILTER_STATUSES, matchesSearch } from './job-filters.ts'

function parseStatus(value: string | null): JobStatus | null {
  return isJobStatus(value) ? value : null
}

/** Every job with live progress; filter chips, search and actions. */
export default function Dashboard() {
  const live = useLiveJobs()
  const stale = isStale(useOffline())
  const [params, setParams] = useSearchParams()
  const filter = parseStatus(params.get('status'))
  const query = params.get('q') ?? ''
  const actions = useJobActions()
  const { plan } = useMe()

  // The URL is the source of truth for the filter, so links and reloads keep it.
  useEffect(() => liveJobs.setFilter(filter), [filter])

  function updateParams(next: { status?: JobStatus | null; q?: string }) {
    const merged = new URLSearchParams(params)
    if ('status' in next) {
      if (next.status) merged.set('status', next.status)
      else merged.delete('status')
    }
    if ('q' in next) {
      if (next.q) merged.set('q', next.q)
      else merged.delete('q')
    }
    setParams(merged, { replace: true })
  }

  const visible = live.jobs.filter((job) => matchesSearch(job, query))
  const searching = query.trim() !== ''
  // A queued job moves up the line without an event: the list is read again while one shows.
  useRefreshWhileQueued(
    visible.some((job) => job.status === 'queued'),
    () => void live.reload(),
  )

  return (
    <>
      {actions.dialog}
      <div className="page-head">
        <h1>Jobs</h1>
        <span className="live-dot" data-live={live.connected || undefined}>
          {stale ? 'Offline' : live.connected ? 'Live' : 'Connecting…'}
        </span>
        <Link to="/add" className="button button-primary" style={{ marginLeft: 'auto' }}>
          <Icon name="plus" />
          Add
        </Link>
      </div>

      <div className="toolbar">
        <div className="search">
          <label htmlFor="job-search" className="visually-hidden">
            Search jobs by name
          </label>
          <Icon name="search" />
          <input
            id="job-search"
            type="search"
            className="input"
            placeholder="Search by name"
            value={query}
            onChange={(event) => updateParams({ q: event.target.value })}
          />
        </div>
        <div className="chips" role="group" aria-label="Filter by status">
          <button
            type="button"
            className="chip"
            aria-pressed={filter === null}
            onClick={() => updateParams({ status: null })}
          >
            All
          </button>
          {FILTER_STATUSES.map((status) => (
            <button
              key={status}
              type="button"
              className="chip"
              aria-pressed={filter === status}
              onClick={() => updateParams({ status })}
            >
              {STATUS_LABELS[status]}
            </button>
          ))}
        </div>
      </div>

      {live.status === 'loading' && live.jobs.length === 0 ? (
        <LoadingState label="Loading your jobs" />
      ) : live.status === 'error' ? (
        <ErrorState error={live.error} retry={() => void live.reload()} />
      ) : visible.length === 0 ? (
        filter || searching ? (
          <EmptyState title="No jobs match">
            <p>
              {searching ? `Nothing named like “${query.trim()}”` : 'No jobs'}
              {filter ? ` with status ${STATUS_LABELS[filter]}` : ''}
              {live.nextCursor ? ' among the jobs loaded so far.' : '.'}
            </p>
            <div className="button-row" style={{ justifyContent: 'center' }}>
              {live.nextCursor && (
                <button type="button" className="button" onClick={() => void live.loadMore()}>
                  Load more jobs
                </button>
              )}
              <button
                type="button"
                className="button"
                onClick={() => updateParams({ status: null, q: '' })}
              >
                Show all jobs
              </button>
            </div>
          </EmptyState>
        ) : (
          <EmptyState title="No jobs yet">
            <span className="empty-art" aria-hidden="true">
              <Icon name="magnet" size={28} />
            </span>
            <p>Paste a magnet link or drop a .torrent file, and tseeder downloads it for you.</p>
            <Link to="/add" className="button button-primary">
              Add your first torrent
            </Link>
          </EmptyState>
        )
      ) : (
        <>
          <ul className="job-list" aria-label="Your jobs">
            {visible.map((job) => (
              <li key={job.id} className="job-card">
                <JobSummary
                  job={job}
                  stale={stale}
                  maxTransfers={plan.maxActiveJobs}
                  title={<Link to={`/jobs/${encodeURIComponent(job.id)}`}>{job.name}</Link>}
                  actions={
                    <>
                      {job.awaitingFiles && (
                        <Link
                          to={`/jobs/${encodeURIComponent(job.id)}`}
                          className="button button-primary button-small"
                        >
                          Choose files
                        </Link>
                      )}
                      <JobActionButtons job={job} actions={actions} small />
                    </>
                  }
                />
                {job.awaitingFiles && (
                  <p className="job-awaiting">File list ready — choose what to download.</p>
                )}
              </li>
            ))}
          </ul>
          {live.error !== null && live.status === 'ready' && (
            <p className="field-error" role="status">
              Could not refresh the list: {errorMessage(live.error)}
            </p>
          )}
          {live.nextCursor && (
            <div className="list-foot">
              <button
                type="button"
                className="button"
                disabled={live.loadingMore}
                onClick={() => void live.loadMore()}
              >
                {live.loadingMore ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
    </>
  )
}
