import { formatBytes, type Job, type JobWithFiles } from '@tseeder/shared'
import { useState } from 'react'
import { api } from '../../app/api.ts'
import { errorMessage, LoadingState } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import { FileTree } from './file-tree.tsx'
import { type FolderNode, selectedSize, toggleSubtree } from './file-tree-model.ts'

/**
 * Picking files before the download starts: the job waits paused with its file list known
 * until the user sends the selection with `resumeJob`.
 */
export function FileChooser({
  job,
  tree,
  onStarted,
}: {
  job: JobWithFiles
  tree: FolderNode
  onStarted(job: Job): void
}) {
  const [selected, setSelected] = useState<Set<number>>(
    () => new Set(job.files.filter((file) => file.selected).map((file) => file.index)),
  )
  const [sending, setSending] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const total = job.files.length

  async function start() {
    if (selected.size === 0) {
      setError('Select at least one file to download.')
      return
    }
    setSending(true)
    setError(null)
    try {
      const next = await api.resumeJob({
        params: { id: job.id },
        body: { selectedFiles: [...selected].sort((a, b) => a - b) },
      })
      toast('Download started', { tone: 'success' })
      onStarted(next)
    } catch (cause) {
      setError(errorMessage(cause))
      setSending(false)
    }
  }

  if (total === 0) {
    return (
      <section className="job-files" aria-labelledby="choose-heading">
        <h2 id="choose-heading">Choose files</h2>
        <LoadingState label="Fetching the file list; you can choose files once it is known" />
      </section>
    )
  }

  return (
    <section className="job-files" aria-labelledby="choose-heading">
      <div className="section-head">
        <h2 id="choose-heading">Choose files</h2>
        <div className="chooser-bulk">
          <button
            type="button"
            className="button button-small"
            onClick={() => setSelected(toggleSubtree(tree, selected, true))}
          >
            Select all
          </button>
          <button
            type="button"
            className="button button-small"
            onClick={() => setSelected(new Set())}
          >
            Select none
          </button>
        </div>
      </div>
      <p className="section-intro">
        The torrent’s file list is known. Tick what you want; nothing is downloaded until you start.
      </p>
      <div className="card card-flush">
        <FileTree
          root={tree}
          selection={{
            selected,
            onChange: (next) => {
              setSelected(next)
              setError(null)
            },
          }}
        />
      </div>
      <div className="chooser-bar">
        <p className="chooser-summary" aria-live="polite">
          {selected.size} of {total} {total === 1 ? 'file' : 'files'} selected ·{' '}
          {formatBytes(selectedSize(job.files, selected))}
        </p>
        <button
          type="button"
          className="button button-primary"
          disabled={sending}
          onClick={() => void start()}
        >
          {sending ? 'Starting…' : 'Start download'}
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}
