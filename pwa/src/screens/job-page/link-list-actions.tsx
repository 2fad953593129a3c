import { formatLifetime, type LinkList, type LinkListFormat, type PlanId } from '@tseeder/shared'
import { useState } from 'react'
import { Link } from 'react-router'
import { api } from '../../app/api.ts'
import { linkLifetime } from '../../app/link-lifetime.ts'
import { errorMessage } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import { copyPromisedText } from './file-links.ts'

const clock = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' })

/** Saves text as a file through the browser's download (no round trip to the server). */
function saveText(list: LinkList): void {
  const url = URL.createObjectURL(new Blob([list.text], { type: list.contentType }))
  const anchor = document.createElement('a')
  anchor.href = url
  anchor.download = list.filename
  document.body.append(anchor)
  anchor.click()
  anchor.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/**
 * Copies the signed links of the job's available files (under `folder` when given), one per
 * line, and says until when they work.
 */
async function copyLinks(jobId: string, lifetimeSeconds: number, folder?: string): Promise<void> {
  let made: LinkList | null = null
  const body = { format: 'urls' as const, lifetimeSeconds, ...(folder ? { folder } : {}) }
  const list = api.createLinkList({ params: { id: jobId }, body }).then((answer) => {
    made = answer
    return answer.text
  })
  try {
    await copyPromisedText(list)
    const { files, expiresAt } = made as unknown as LinkList
    toast(`${files.length} links copied. They work until ${clock.format(new Date(expiresAt))}.`, {
      tone: 'success',
    })
  } catch (error) {
    const text = await list.catch(() => null)
    toast(
      text
        ? 'The browser did not allow copying. Use “aria2 file” to save the links instead.'
        : `Could not make the links: ${errorMessage(error)}`,
      { tone: 'error', timeoutMs: 20_000 },
    )
  }
}

/** A folder's "Links": its files' signed links on the clipboard. */
export function FolderLinksButton({
  jobId,
  plan,
  folder,
}: {
  jobId: string
  plan: PlanId
  folder: { name: string; path: string }
}) {
  const [busy, setBusy] = useState(false)
  return (
    <button
      type="button"
      className="button button-small"
      aria-label={`Copy the links of folder ${folder.name}`}
      disabled={busy}
      onClick={() => {
        setBusy(true)
        void copyLinks(jobId, linkLifetime(plan), folder.path).finally(() => setBusy(false))
      }}
    >
      Links
    </button>
  )
}

/**
 * A job's links for download managers: every available file's signed link on the clipboard,
 * or an aria2 input file / curl script to save, valid for the lifetime chosen in Settings.
 */
export function LinkListActions({ jobId, plan }: { jobId: string; plan: PlanId }) {
  const [busy, setBusy] = useState(false)
  const lifetimeSeconds = linkLifetime(plan)

  function make(format: LinkListFormat): Promise<LinkList> {
    return api.createLinkList({ params: { id: jobId }, body: { format, lifetimeSeconds } })
  }

  async function copyAll() {
    setBusy(true)
    await copyLinks(jobId, lifetimeSeconds)
    setBusy(false)
  }

  async function save(format: LinkListFormat) {
    setBusy(true)
    try {
      saveText(await make(format))
    } catch (error) {
      toast(`Could not make the list: ${errorMessage(error)}`, { tone: 'error' })
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="job-link-lists">
      <button
        type="button"
        className="button button-small"
        disabled={busy}
        onClick={() => void copyAll()}
      >
        Copy all links
      </button>
      <button
        type="button"
        className="button button-small"
        disabled={busy}
        onClick={() => void save('aria2')}
      >
        aria2 file
      </button>
      <button
        type="button"
        className="button button-small"
        disabled={busy}
        onClick={() => void save('curl')}
      >
        curl script
      </button>
      <span className="section-meta">
        Links work for {formatLifetime(lifetimeSeconds)} (<Link to="/settings">change</Link>)
      </span>
    </div>
  )
}
