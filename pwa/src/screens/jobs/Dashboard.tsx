import {
  type Job,
  type JobStatus,
  JobStatus as JobStatusSchema,
  STATUS_LABELS,
} from '@tseeder/shared'
import { JobSummary } from '@tseeder/shared/ui'
import { useEffect, useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import { api } from '../../app/api.ts'
import { liveJobs, useLiveJobs } from '../../app/live.ts'
import { useOffline } from '../../app/offline.ts'
import { useConfirm } from '../../ui/ConfirmDialog.tsx'
import { Icon, type IconName } from '../../ui/Icon.tsx'
import { EmptyState, ErrorState, LoadingState, errorMessage } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import {
  availableActions,
  FILTER_STATUSES,
  type JobMenuAction,
  matchesSearch,
} from './jobActions.ts'

const ACTION_UI: Record<JobMenuAction, { label: string; icon: IconName; className?: string }> = {
  pause: { label: 'Pause', icon: 'pause' },
  resume: { label: 'Resume', icon: 'play' },
  retry: { label: 'Retry', icon: 'retry' },
  cancel: { label: 'Cancel', icon: 'stop' },
  delete: { label: 'Delete', icon: 'trash', className: 'button-subtle-danger' },
}

function parseStatus(value: string | null): JobStatus | null {
  const parsed = JobStatusSchema.safeParse(value)
  return parsed.success ? parsed.data : null
}

/** Every job with live progress; filter chips, search and actions. */
export default function Dashboard() {
  const live = useLiveJobs()
  const { online } = useOffline()
  const [params, setParams] = useSearchParams()
  const filter = parseStatus(params.get('status'))
  const query = params.get('q') ?? ''
  const [pending, setPending] = useState<Record<string, JobMenuAction>>({})
  const { confirm, dialog } = useConfirm()

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

  async function run(job: Job, action: JobMenuAction) {
    if (action === 'delete' || action === 'cancel') {
      const ok = await confirm(
        action === 'delete'
          ? {
              title: `Delete “${job.name}”?`,
              message:
                'The job and its downloaded files are removed at once. Links already shared stop working.',
              confirmLabel: 'Delete job',
              danger: true,
            }
          : {
              title: `Cancel “${job.name}”?`,
              message:
                'The download stops for good. Files already stored stay until you delete the job.',
              confirmLabel: 'Cancel download',
              cancelLabel: 'Keep downloading',
              danger: true,
            },
      )
      if (!ok) return
    }
    setPending((current) => ({ ...current, [job.id]: action }))
    try {
      const params = { params: { id: job.id } }
      if (action === 'delete') {
        await api.deleteJob(params)
        liveJobs.remove(job.id)
        toast(`Deleted “${job.name}”.`, { tone: 'success' })
      } else {
        const call = {
          pause: api.pauseJob,
          resume: api.resumeJob,
          cancel: api.cancelJob,
          retry: api.retryJob,
        }[action]
        liveJobs.upsert(await call(params))
      }
    } catch (error) {
      toast(
        `Could not ${ACTION_UI[action].label.toLowerCase()} “${job.name}”: ${errorMessage(error)}`,
        {
          tone: 'error',
        },
      )
    } finally {
      setPending(({ [job.id]: _done, ...rest }) => rest)
    }
  }

  const visible = live.jobs.filter((job) => matchesSearch(job, query))
  const searching = query.trim() !== ''

  return (
    <>
      {dialog}
      <div className="page-head">
        <h1>Jobs</h1>
        <span className="live-dot" data-live={live.connected || undefined}>
          {live.connected ? 'Live' : online ? 'Connecting…' : 'Offline'}
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
                      {availableActions(job).map((action) => (
                        <button
                          key={action}
                          type="button"
                          className={`button button-small ${ACTION_UI[action].className ?? 'button-ghost'}`}
                          aria-label={`${ACTION_UI[action].label} ${job.name}`}
                          disabled={pending[job.id] !== undefined}
                          onClick={() => void run(job, action)}
                        >
                          <Icon name={ACTION_UI[action].icon} size={18} />
                          {pending[job.id] === action
                            ? `${ACTION_UI[action].label}…`
                            : ACTION_UI[action].label}
                        </button>
                      ))}
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
