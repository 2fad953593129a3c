// One job in the popup: the shared summary (status, figures, why it waits), its peers, and what
// can be done with it from here: pause/resume, retry, cancel and delete (both asked first), open
// its page, download a completed single-file job, and zip a completed job of several files.
import {
  allowedActions,
  type Client,
  type Job,
  type JobAction,
  type LiveJobsAction,
} from '@tseeder/shared'
import { JobSummary } from '@tseeder/shared/ui'
import { useEffect, useState } from 'react'
import { describeFailure } from '../failures.ts'
import { downloadJob, downloadZip } from './job-download.ts'
import { markRevoked } from '../jobs-poller.ts'
import { clientFor, jobPageUrl } from '../server.ts'
import type { Connection } from '../storage.ts'

type RowAction = JobAction | 'delete' | 'download' | 'zip'

const LABELS: Record<RowAction, string> = {
  pause: 'Pause',
  resume: 'Resume',
  retry: 'Retry',
  cancel: 'Cancel',
  delete: 'Delete',
  download: 'Download',
  zip: 'Zip',
}

/** The actions that cannot be undone ask first, in the web app's words. */
const CONFIRMATIONS: Partial<
  Record<RowAction, (job: Job) => { question: string; yes: string; no: string }>
> = {
  cancel: (job) => ({
    question: `Cancel “${job.name}”? The download stops for good; files already stored stay until you delete the job.`,
    yes: 'Cancel download',
    no: 'Keep downloading',
  }),
  delete: (job) => ({
    question: `Delete “${job.name}” and its files? Links already shared stop working.`,
    yes: 'Delete job',
    no: 'Keep',
  }),
}

export interface JobRowProps {
  job: Job
  connection: Connection
  /** Applies a done action to the popup's list (the stream catches up on its own too). */
  onChange(action: LiveJobsAction): void
  /** Injectable for tests; the connection's client otherwise. */
  client?: Client
}

export function JobRow({ job, connection, onChange, client }: JobRowProps) {
  const [asking, setAsking] = useState<RowAction | null>(null)
  const [busy, setBusy] = useState<RowAction | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  /** Set once Download found several files: the row then offers a zip of them. */
  const [several, setSeveral] = useState<string | null>(null)
  const href = jobPageUrl(connection.serverUrl, job.id)
  const actions = rowActions(job, connection)
  const confirmation = asking ? CONFIRMATIONS[asking]?.(job) : undefined

  // A job that completed while the popup watched has its files counted only in a fresh read.
  const uncounted = job.status === 'completed' && job.availableFiles === 0
  useEffect(() => {
    if (!uncounted) return
    const api = client ?? clientFor(connection)
    api.getJob({ params: { id: job.id } }).then(
      (read) => onChange({ type: 'upsert', job: read }),
      () => {}, // the row keeps "Open in tseeder"; the next list brings the count
    )
  }, [uncounted, job.id]) // once per job that turns completed (the client and callback are stable enough)

  async function run(action: RowAction) {
    setAsking(null)
    setBusy(action)
    setProblem(null)
    const api = client ?? clientFor(connection)
    const params = { params: { id: job.id } }
    try {
      if (action === 'delete') {
        await api.deleteJob(params)
        onChange({ type: 'remove', id: job.id })
      } else if (action === 'download') {
        const outcome = await downloadJob(api, job, connection.serverUrl)
        setSeveral(outcome.kind === 'several' ? outcome.summary : null)
      } else if (action === 'zip') {
        await downloadZip(api, job, connection.serverUrl)
        setSeveral(null)
      } else {
        onChange({ type: 'upsert', job: await api[`${action}Job`](params) })
      }
    } catch (error) {
      const failure = describeFailure(error, connection.serverUrl)
      if (failure.kind === 'revoked') await markRevoked()
      setProblem(`Could not ${LABELS[action].toLowerCase()}: ${failure.message}`)
    } finally {
      setBusy(null)
    }
  }

  return (
    <JobSummary
      compact
      job={job}
      maxTransfers={connection.maxTransfers}
      title={
        <a href={href} target="_blank" rel="noreferrer">
          {job.name}
        </a>
      }
      actions={
        <>
          {showsPeers(job) && (
            <p className="job-peers">
              {plural(job.peers, 'peer')} · {plural(job.seeds, 'seed')}
            </p>
          )}
          {confirmation ? (
            <div className="job-confirm" role="group" aria-label={confirmation.question}>
              <p>{confirmation.question}</p>
              <button type="button" className="danger" onClick={() => void run(asking!)}>
                {confirmation.yes}
              </button>
              <button type="button" className="secondary" onClick={() => setAsking(null)}>
                {confirmation.no}
              </button>
            </div>
          ) : several ? (
            <div className="job-confirm" role="group" aria-label={`${job.name}: ${several}`}>
              <p>
                “{job.name}” has {several}. Download them as one zip?
              </p>
              <button type="button" disabled={busy !== null} onClick={() => void run('zip')}>
                {busy === 'zip' ? 'Zip…' : 'Zip'}
              </button>
              <a href={href} target="_blank" rel="noreferrer">
                Open in tseeder
              </a>
              <button type="button" className="secondary" onClick={() => setSeveral(null)}>
                Back
              </button>
            </div>
          ) : (
            <div className="job-buttons">
              {actions.map((action) => (
                <button
                  key={action}
                  type="button"
                  className={action === 'delete' ? 'secondary danger-text' : 'secondary'}
                  disabled={busy !== null}
                  onClick={() => (CONFIRMATIONS[action] ? setAsking(action) : void run(action))}
                >
                  {busy === action ? `${LABELS[action]}…` : LABELS[action]}
                </button>
              ))}
              <a
                href={href}
                target="_blank"
                rel="noreferrer"
                aria-label={`Open ${job.name} in tseeder`}
              >
                {job.awaitingFiles ? 'Choose files in tseeder' : 'Open in tseeder'}
              </a>
            </div>
          )}
          {problem && (
            <p role="status" className="error">
              {problem}
            </p>
          )}
        </>
      }
    />
  )
}

/**
 * The lifecycle's actions for the job's status (resume is done on the job page for a job
 * awaiting a file choice), download for a completed job when the token may, and delete.
 */
function rowActions(job: Job, connection: Connection): RowAction[] {
  const actions: RowAction[] = allowedActions(job.status).filter(
    (action) => !(action === 'resume' && job.awaitingFiles),
  )
  const mayDownload = !connection.scopes || connection.scopes.includes('files:read')
  if (job.status === 'completed' && mayDownload) {
    // A server older than `singleFileId` leaves both out: the files are then read on Download,
    // which offers a zip when there are several.
    if (job.availableFiles !== undefined && job.availableFiles > 1) actions.unshift('zip')
    else if (job.singleFileId !== null) actions.unshift('download')
  }
  return [...actions, 'delete']
}

/** A job that moves bytes (or looks for them): its swarm. A waiting job says why instead. */
function showsPeers(job: Job): boolean {
  return (job.status === 'downloading' || job.status === 'metadata_fetch') && job.waiting === null
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
