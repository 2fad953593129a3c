import { BlocklistBody, type BlocklistEntry } from '@tseeder/shared'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { api } from '../../app/api.ts'
import { useConfirm } from '../../ui/confirm-dialog.tsx'
import { EmptyState, ErrorState, errorMessage, LoadingState } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import { TableRegion } from './table-region.tsx'
import { formatDateTime } from './time.ts'

type ListState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; entries: BlocklistEntry[] }

type FieldErrors = Partial<Record<'infohash' | 'reason' | 'noticeUrl' | 'form', string>>

/** `/admin/blocklist`: info hashes nobody may download, with the reason (a takedown notice…). */
export function BlocklistTab() {
  const [state, setState] = useState<ListState>({ status: 'loading' })
  const { confirm, dialog } = useConfirm()

  const load = useCallback(async () => {
    try {
      const { entries } = await api.adminListBlocklist()
      setState({ status: 'ready', entries })
    } catch (error) {
      setState({ status: 'error', error })
    }
  }, [])

  useEffect(() => {
    void load()
  }, [load])

  async function remove(entry: BlocklistEntry) {
    const ok = await confirm({
      title: 'Remove this info hash from the blocklist?',
      message: `${entry.infohash} (${entry.reason}) can be downloaded again.`,
      confirmLabel: 'Remove',
      danger: true,
    })
    if (!ok) return
    try {
      await api.adminRemoveBlocklist({ params: { infohash: entry.infohash } })
      toast('Removed from the blocklist', { tone: 'success' })
      await load()
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' })
    }
  }

  return (
    <section aria-labelledby="blocklist-heading">
      {dialog}
      <h2 id="blocklist-heading">Blocklist</h2>
      <AddBlockForm onAdded={() => void load()} />
      {state.status === 'loading' && <LoadingState label="Loading the blocklist" />}
      {state.status === 'error' && <ErrorState error={state.error} retry={() => void load()} />}
      {state.status === 'ready' && state.entries.length === 0 && (
        <EmptyState title="The blocklist is empty" />
      )}
      {state.status === 'ready' && state.entries.length > 0 && (
        <TableRegion
          label="Blocked info hashes"
          columns={['Info hash', 'Reason', 'Notice', 'Added', { label: 'Actions', hidden: true }]}
        >
          {state.entries.map((entry) => (
            <tr key={entry.infohash}>
              <th scope="row" className="mono cell-hash">
                {entry.infohash}
              </th>
              <td className="cell-main">{entry.reason}</td>
              <td>
                {entry.noticeUrl ? (
                  <a href={entry.noticeUrl} target="_blank" rel="noreferrer noopener">
                    Notice
                  </a>
                ) : (
                  '—'
                )}
              </td>
              <td className="nowrap">{formatDateTime(entry.createdAt)}</td>
              <td>
                <button
                  type="button"
                  className="button button-small button-subtle-danger"
                  aria-label={`Remove ${entry.infohash} from the blocklist`}
                  onClick={() => void remove(entry)}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </TableRegion>
      )}
    </section>
  )
}

function AddBlockForm({ onAdded }: { onAdded(): void }) {
  const [infohash, setInfohash] = useState('')
  const [reason, setReason] = useState('')
  const [noticeUrl, setNoticeUrl] = useState('')
  const [errors, setErrors] = useState<FieldErrors>({})
  const [sending, setSending] = useState(false)

  async function submit(event: FormEvent) {
    event.preventDefault()
    const parsed = BlocklistBody.safeParse({
      infohash,
      reason,
      ...(noticeUrl.trim() ? { noticeUrl: noticeUrl.trim() } : {}),
    })
    if (!parsed.success) {
      const next: FieldErrors = {}
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as keyof FieldErrors
        if (field === 'infohash') next.infohash = `Info hash ${issue.message}.`
        else if (field === 'reason') next.reason = `Reason ${issue.message}.`
        else if (field === 'noticeUrl') next.noticeUrl = 'Notice URL must be a full web address.'
      }
      setErrors(next)
      return
    }
    setSending(true)
    setErrors({})
    try {
      await api.adminAddBlocklist({ body: parsed.data })
      toast('Added to the blocklist', { tone: 'success' })
      setInfohash('')
      setReason('')
      setNoticeUrl('')
      onAdded()
    } catch (error) {
      setErrors({ form: errorMessage(error) })
    } finally {
      setSending(false)
    }
  }

  const field = (
    id: keyof FieldErrors,
    label: string,
    value: string,
    set: (value: string) => void,
    extra: React.InputHTMLAttributes<HTMLInputElement> = {},
  ) => (
    <div className="field">
      <label htmlFor={`block-${id}`}>{label}</label>
      <input
        id={`block-${id}`}
        className="input"
        value={value}
        aria-invalid={errors[id] ? true : undefined}
        aria-describedby={errors[id] ? `block-${id}-error` : undefined}
        onChange={(event) => set(event.target.value)}
        {...extra}
      />
      {errors[id] && (
        <p id={`block-${id}-error`} className="field-error">
          {errors[id]}
        </p>
      )}
    </div>
  )

  return (
    <form className="card block-form" onSubmit={(event) => void submit(event)} noValidate>
      <h3>Block an info hash</h3>
      {field('infohash', 'Info hash', infohash, setInfohash, {
        className: 'input mono',
        placeholder: '40 hexadecimal characters',
        spellCheck: false,
        autoComplete: 'off',
      })}
      {field('reason', 'Reason', reason, setReason, { maxLength: 500 })}
      {field('noticeUrl', 'Notice URL (optional)', noticeUrl, setNoticeUrl, {
        type: 'url',
        placeholder: 'https://…',
      })}
      {errors.form && (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" className="button button-primary" disabled={sending}>
        {sending ? 'Adding…' : 'Add to blocklist'}
      </button>
    </form>
  )
}
