import { createJobTelling, formatBytes } from '@tseeder/shared'
import { type DragEvent, type FormEvent, useEffect, useRef, useState } from 'react'
import { useNavigate, useSearchParams } from 'react-router'
import { api } from '../../app/api.ts'
import { liveJobs } from '../../app/live.ts'
import { useMe } from '../../app/session.tsx'
import { findMagnet, takeSharedPayload } from '../../app/share-target.ts'
import { Field } from '../../ui/field.tsx'
import { Icon } from '../../ui/icon.tsx'
import { toast } from '../../ui/toast.tsx'
import {
  type AddJobErrors,
  createJobBody,
  describeCreateError,
  validateAddJob,
} from './add-job-form.ts'
import { addMagnetLines, type LineOutcome, magnetLines, summariseReport } from './add-many.ts'
import { AddReport } from './add-report.tsx'
import { checkTorrentFile, type TorrentCheck } from './torrent-check.ts'
import { TorrentContents } from './torrent-contents.tsx'

/** Add a job: paste a magnet link, or drop / pick a .torrent. Also the share and magnet-handler target. */
export default function AddJob() {
  const me = useMe()
  const navigate = useNavigate()
  const [params, setParams] = useSearchParams()
  const [magnet, setMagnet] = useState(() => params.get('magnet') ?? '')
  const [torrent, setTorrent] = useState<File | null>(null)
  /** What the shared parser made of the picked file; null while it reads (or with no file). */
  const [check, setCheck] = useState<TorrentCheck | null>(null)
  const [chooseFiles, setChooseFiles] = useState(false)
  const [errors, setErrors] = useState<AddJobErrors & { title?: string }>({})
  const [busy, setBusy] = useState(false)
  const [dragging, setDragging] = useState(false)
  const [sharedNote, setSharedNote] = useState<string | null>(null)
  const [report, setReport] = useState<LineOutcome[] | null>(null)
  const fileInput = useRef<HTMLInputElement>(null)
  const formError = useRef<HTMLDivElement>(null)

  // `/add?shared=1`: the service worker parked what another app shared; take it once.
  const shared = params.get('shared') === '1'
  useEffect(() => {
    if (!shared) return
    let cancelled = false
    takeSharedPayload()
      .then((payload) => {
        if (cancelled) return
        if (!payload) {
          setSharedNote('Nothing was shared, or it was already added. Paste a link or pick a file.')
          return
        }
        const link = findMagnet(payload)
        if (payload.torrent) setTorrent(payload.torrent)
        else if (link) setMagnet(link)
        else setErrors({ magnet: 'What was shared has no magnet link or .torrent file in it.' })
        setSharedNote(payload.torrent || link ? 'Shared with tseeder — check it and add it.' : null)
      })
      .catch(() => setSharedNote('What was shared could not be read. Paste the link instead.'))
      .finally(() => setParams({}, { replace: true }))
    return () => {
      cancelled = true
    }
  }, [shared, setParams])

  useEffect(() => {
    if (errors.form) formError.current?.focus()
  }, [errors.form])

  // A picked .torrent is read at once: its problem or its files show before any upload.
  useEffect(() => {
    setCheck(null)
    if (!torrent) return
    let cancelled = false
    void checkTorrentFile(torrent).then((result) => {
      if (!cancelled) setCheck(result)
    })
    return () => {
      cancelled = true
    }
  }, [torrent])
  const torrentError = errors.torrent ?? (check?.state === 'refused' ? check.message : undefined)

  function pickFile(file: File | null) {
    setTorrent(file)
    setErrors({})
    if (file) setMagnet('')
  }

  function onDrop(event: DragEvent) {
    event.preventDefault()
    setDragging(false)
    const file = event.dataTransfer.files[0]
    if (file) {
      pickFile(file)
      return
    }
    const text = event.dataTransfer.getData('text/plain')
    if (text) {
      setTorrent(null)
      setMagnet(text.trim())
    }
  }

  async function addEachLine(lines: string[]) {
    setBusy(true)
    setErrors({})
    setReport(null)
    try {
      const outcomes = await addMagnetLines(lines, {
        chooseFiles,
        known: new Set(liveJobs.getSnapshot().all.map((job) => job.id)),
        plan: me.plan,
        async create(body) {
          const answer = await createJobTelling(api, { body })
          liveJobs.upsert(answer.job)
          return answer
        },
      })
      setReport(outcomes)
      // The refused lines stay in the box, to fix and send again.
      setMagnet(
        outcomes
          .filter((entry) => entry.outcome === 'refused')
          .map((entry) => entry.line)
          .join('\n'),
      )
      toast(summariseReport(outcomes), {
        tone: outcomes.some((entry) => entry.outcome === 'refused') ? 'error' : 'success',
      })
    } finally {
      setBusy(false)
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault()
    const lines = magnetLines(magnet)
    if (lines.length > 1 && !torrent) {
      await addEachLine(lines)
      return
    }
    setReport(null)
    const result = validateAddJob({ magnet, torrent, chooseFiles })
    if (!result.ok) {
      setErrors(result.errors)
      return
    }
    if (result.request.kind === 'torrent' && check?.state === 'refused') {
      setErrors({ torrent: check.message })
      return
    }
    setBusy(true)
    setErrors({})
    try {
      const known = new Set(liveJobs.getSnapshot().all.map((job) => job.id))
      const job = await api.createJob({ body: createJobBody(result.request) })
      liveJobs.upsert(job)
      toast(known.has(job.id) ? 'You already have this job.' : `Added “${job.name}”.`, {
        tone: 'success',
      })
      navigate(`/jobs/${encodeURIComponent(job.id)}`)
    } catch (error) {
      const described = describeCreateError(error, result.request, me.plan)
      setErrors({ [described.field]: described.message, title: described.title })
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="page-narrow">
      <div className="page-head">
        <h1>Add a torrent</h1>
      </div>
      <form className="card" onSubmit={submit} noValidate aria-busy={busy}>
        {sharedNote && <p className="muted small">{sharedNote}</p>}
        {errors.form && (
          <div className="form-error" role="alert" tabIndex={-1} ref={formError}>
            <div>
              {errors.title && <strong>{errors.title}</strong>}
              <p>{errors.form}</p>
            </div>
          </div>
        )}
        <Field
          label="Magnet link"
          error={errors.magnet}
          hint="Starts with magnet:?xt=urn:btih: · several links: one per line"
        >
          {(props) => (
            <textarea
              {...props}
              name="magnet"
              rows={3}
              spellCheck={false}
              autoCapitalize="off"
              autoCorrect="off"
              placeholder="magnet:?xt=urn:btih:…"
              value={magnet}
              disabled={torrent !== null}
              onChange={(event) => {
                setMagnet(event.target.value)
                if (errors.magnet || errors.form) setErrors({})
              }}
            />
          )}
        </Field>

        <div className="or">or</div>

        <div className="field" data-invalid={torrentError ? true : undefined}>
          <span className="label" id="torrent-label">
            Torrent file
          </span>
          <div
            className="dropzone"
            data-active={dragging || undefined}
            onDragOver={(event) => {
              event.preventDefault()
              setDragging(true)
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
          >
            {torrent ? (
              <div className="picked-file">
                <Icon name="file" />
                <span title={torrent.name}>{torrent.name}</span>
                <small className="muted">{formatBytes(torrent.size)}</small>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Remove ${torrent.name}`}
                  onClick={() => {
                    pickFile(null)
                    if (fileInput.current) fileInput.current.value = ''
                  }}
                >
                  <Icon name="x" />
                </button>
              </div>
            ) : (
              <>
                <Icon name="upload" size={28} />
                <strong>Drop a .torrent file here</strong>
                <span className="small">or</span>
                <button
                  type="button"
                  className="button"
                  onClick={() => fileInput.current?.click()}
                  aria-describedby={torrentError ? 'torrent-error' : undefined}
                >
                  Choose a .torrent file
                </button>
              </>
            )}
            <input
              ref={fileInput}
              type="file"
              accept=".torrent,application/x-bittorrent"
              className="visually-hidden"
              aria-labelledby="torrent-label"
              tabIndex={-1}
              onChange={(event) => pickFile(event.target.files?.[0] ?? null)}
            />
          </div>
          {torrentError && (
            <p id="torrent-error" className="field-error" role="alert">
              {torrentError}
            </p>
          )}
          {torrent && !check && (
            <p className="muted small" role="status">
              Reading the .torrent…
            </p>
          )}
          {check?.state === 'ok' && !torrentError && <TorrentContents check={check} />}
        </div>

        <label className="checkbox">
          <input
            type="checkbox"
            name="chooseFiles"
            checked={chooseFiles}
            onChange={(event) => setChooseFiles(event.target.checked)}
          />
          <span>
            Choose files before downloading
            <small>The job waits, paused, once its file list is known so you can pick files.</small>
          </span>
        </label>

        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Adding…' : 'Add torrent'}
        </button>
      </form>
      {report && <AddReport report={report} />}
    </div>
  )
}
