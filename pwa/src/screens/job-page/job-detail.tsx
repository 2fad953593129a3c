import { ApiError, formatBytes, type Job, type JobFile, type JobWithFiles } from '@tseeder/shared'
import { JobSummary } from '@tseeder/shared/ui'
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { api } from '../../app/api.ts'
import { liveJobs, useLiveJob } from '../../app/live.ts'
import { isStale, useOffline } from '../../app/offline.ts'
import { useRefreshWhileQueued } from '../../app/queue-refresh.ts'
import { useMe } from '../../app/session.tsx'
import { Icon } from '../../ui/icon.tsx'
import { EmptyState, ErrorState, errorMessage, LoadingState } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import { JobActionButtons } from '../job-actions/job-action-buttons.tsx'
import { useJobActions } from '../job-actions/use-job-actions.tsx'
import { FileChooser } from './file-chooser.tsx'
import { FileTree } from './file-tree.tsx'
import { buildFileTree, withLiveFileBytes } from './file-tree-model.ts'
import { JobHistory } from './job-history.tsx'
import { FolderLinksButton, LinkListActions } from './link-list-actions.tsx'
import { copyFileLink, downloadFile } from './file-links.ts'
import { EndedNotice, readdLink } from './ended-notice.tsx'
import { previewKind, type PreviewKind } from './playable.ts'
import { WaitingDetails } from './waiting-details.tsx'
import { downloadZip } from './zip-download.ts'
import './job.css'

const MediaPlayer = lazy(() => import('./media-player.tsx'))
const FilePreview = lazy(() => import('./file-preview.tsx'))

const PREVIEW_LABELS: Record<Exclude<PreviewKind, null>, string> = {
  media: 'Play',
  image: 'View',
  text: 'Read',
}

type DetailState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; job: JobWithFiles }

/** `/jobs/:id`: one job, live, with its files, player and history. */
export default function JobDetail() {
  const { id = '' } = useParams()
  const [state, setState] = useState<DetailState>({ status: 'loading' })
  const liveJob = useLiveJob(id)

  const load = useCallback(
    // `quiet`: a failed read keeps the page as it is (a periodic refresh tries again).
    async (signal?: AbortSignal, quiet = false) => {
      try {
        const job = await api.getJob({ params: { id } }, { signal })
        // One read serves both: this page's files and the store that follows its events (a job
        // the list has not brought, or a held job's place in line, which no event carries).
        liveJobs.adopt(job)
        setState({ status: 'ready', job })
      } catch (error) {
        if (!signal?.aborted && !quiet) setState({ status: 'error', error })
      }
    },
    [id],
  )

  useEffect(() => {
    setState({ status: 'loading' })
    const controller = new AbortController()
    void load(controller.signal)
    return () => controller.abort()
  }, [load])

  // A status change (metadata known, download finished…) changes which files exist and are
  // available; the live store carries the status, the file list needs a fresh read.
  const liveStatus = liveJob?.status
  const liveAwaiting = liveJob?.awaitingFiles
  const loadedStatus = state.status === 'ready' ? state.job.status : undefined
  const loadedAwaiting = state.status === 'ready' ? state.job.awaitingFiles : undefined
  useEffect(() => {
    if (!liveStatus || !loadedStatus) return
    if (liveStatus !== loadedStatus || liveAwaiting !== loadedAwaiting) void load()
  }, [liveStatus, liveAwaiting, loadedStatus, loadedAwaiting, load])

  // Its place in line moves without an event: read the job again while it waits in line.
  const queued = (liveJob?.status ?? loadedStatus) === 'queued'
  useRefreshWhileQueued(queued, () => void load(undefined, true))

  if (state.status === 'loading') return <LoadingState label="Loading the job" />
  if (state.status === 'error') {
    if (state.error instanceof ApiError && state.error.status === 404) {
      return (
        <div className="state state-empty">
          <h1>This job does not exist or was deleted</h1>
          <p>
            <Link to="/">Back to your jobs</Link>
          </p>
        </div>
      )
    }
    return (
      <>
        <h1 className="visually-hidden">Job</h1>
        <ErrorState error={state.error} retry={() => void load()} />
      </>
    )
  }

  const job: JobWithFiles = liveJob
    ? { ...state.job, ...liveJob, files: withLiveFileBytes(state.job.files, liveJob.fileBytes) }
    : state.job
  return (
    <JobView
      job={job}
      onChanged={(next) => {
        setState({ status: 'ready', job: { ...job, ...next } })
        void load()
      }}
    />
  )
}

/** `onChanged` gets the job as an action or the file choice left it (the live store has it). */
function JobView({ job, onChanged }: { job: JobWithFiles; onChanged(job: Job): void }) {
  const navigate = useNavigate()
  const { plan } = useMe()
  const stale = isStale(useOffline())
  // "Add it again" deletes first; the deletion then opens Add with the link instead of the list.
  const readding = useRef(false)
  const actions = useJobActions({
    onChanged,
    onDeleted: (deleted) =>
      void navigate(
        readding.current ? `/add?magnet=${encodeURIComponent(readdLink(deleted))}` : '/',
        { replace: true },
      ),
  })
  const [playing, setPlaying] = useState<{
    file: JobFile
    url: string
    kind: Exclude<PreviewKind, null>
  } | null>(null)
  const tree = useMemo(() => buildFileTree(job.files), [job.files])
  const shownFiles = job.files.filter((file) => file.selected)
  const available = job.files.filter((file) => file.available).length
  // A zip is offered for a completed job with more than one stored file, and for its folders.
  const zippable = job.status === 'completed' && available > 1

  async function play(file: JobFile, kind: Exclude<PreviewKind, null>) {
    try {
      const { url } = await api.createFileLink({ params: { id: file.id } })
      setPlaying({ file, url, kind })
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' })
    }
  }

  return (
    <div className="job-detail">
      {actions.dialog}
      <p className="job-back">
        <Link to="/">← All jobs</Link>
      </p>
      <h1 className="job-title">{job.name}</h1>
      <section className="card job-status" aria-label="Status">
        <JobSummary
          job={job}
          stale={stale}
          maxTransfers={plan.maxActiveJobs}
          actions={<JobActionButtons job={job} actions={actions} />}
        />
        <WaitingDetails job={job} />
        {job.awaitingFiles && (
          <p className="job-waiting">
            {job.files.length > 0
              ? 'Waiting for you to choose which files to download.'
              : 'Fetching the file list so you can choose what to download.'}
          </p>
        )}
      </section>

      {job.awaitingFiles ? (
        <FileChooser
          job={job}
          tree={tree}
          onStarted={(next) => {
            liveJobs.upsert(next)
            onChanged(next)
          }}
        />
      ) : (
        <section className="job-files" aria-labelledby="job-files-heading">
          <div className="section-head">
            <h2 id="job-files-heading">Files</h2>
            {shownFiles.length > 0 && (
              <p className="section-meta">
                {available} of {shownFiles.length} ready ·{' '}
                {formatBytes(shownFiles.reduce((sum, file) => sum + file.size, 0))}
              </p>
            )}
            {zippable && (
              <button
                type="button"
                className="button button-small"
                onClick={() => void downloadZip(job.id)}
              >
                Download as zip
              </button>
            )}
          </div>
          {available > 0 && <LinkListActions jobId={job.id} plan={plan.id} />}
          {playing && (
            <Suspense fallback={<LoadingState label="Loading the preview" />}>
              {playing.kind === 'media' ? (
                <MediaPlayer
                  key={playing.url}
                  file={playing.file}
                  url={playing.url}
                  onClose={() => setPlaying(null)}
                />
              ) : (
                <FilePreview
                  key={playing.url}
                  file={playing.file}
                  kind={playing.kind}
                  url={playing.url}
                  onClose={() => setPlaying(null)}
                />
              )}
            </Suspense>
          )}
          {job.files.length === 0 && (job.status === 'cancelled' || job.status === 'failed') ? (
            <EndedNotice
              job={job}
              actions={actions}
              onReadd={() => {
                readding.current = true
                void actions.run(job, 'delete').finally(() => {
                  readding.current = false
                })
              }}
            />
          ) : job.files.length === 0 ? (
            <EmptyState title="No files yet">
              <p>The file list appears once the torrent’s metadata has been fetched.</p>
            </EmptyState>
          ) : (
            <div className="card card-flush">
              <FileTree
                root={tree}
                renderFolderActions={
                  available > 0
                    ? (folder) => (
                        <>
                          {zippable && (
                            <button
                              type="button"
                              className="button button-small"
                              aria-label={`Download folder ${folder.name} as zip`}
                              onClick={() => void downloadZip(job.id, folder.path)}
                            >
                              Zip
                            </button>
                          )}
                          <FolderLinksButton jobId={job.id} plan={plan.id} folder={folder} />
                        </>
                      )
                    : undefined
                }
                renderFileActions={(file) => {
                  const name = file.path.split('/').pop() ?? file.path
                  const kind = previewKind(file)
                  return (
                    <>
                      {kind && (
                        <button
                          type="button"
                          className="button button-small button-primary"
                          aria-label={`${PREVIEW_LABELS[kind]} ${name}`}
                          onClick={() => void play(file, kind)}
                        >
                          {kind === 'media' && <Icon name="play" size={16} />}{' '}
                          {PREVIEW_LABELS[kind]}
                        </button>
                      )}
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`Download ${name}`}
                        onClick={() => void downloadFile(file)}
                      >
                        Download
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`Copy link to ${name}`}
                        onClick={() => void copyFileLink(file)}
                      >
                        Copy link
                      </button>
                    </>
                  )
                }}
              />
            </div>
          )}
        </section>
      )}

      <section className="job-history" aria-labelledby="job-history-heading">
        <h2 id="job-history-heading">History</h2>
        <JobHistory jobId={job.id} version={`${job.status}:${job.awaitingFiles}`} />
      </section>
    </div>
  )
}
