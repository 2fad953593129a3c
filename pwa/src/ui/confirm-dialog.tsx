/**
 * Confirmation before a destructive action (delete, cancel, revoke).
 *
 *   const { confirm, dialog } = useConfirm()
 *   confirm(options: ConfirmOptions): Promise<boolean>   // true when the user confirmed
 *   render {dialog} somewhere in the component
 *
 * @example
 * const { confirm, dialog } = useConfirm()
 * async function remove() {
 *   if (await confirm({ title: 'Delete this job?', message: 'Its files go too.', confirmLabel: 'Delete', danger: true }))
 *     await api.deleteJob({ params: { id } })
 * }
 * return <>{dialog}<button className="button" onClick={remove}>Delete</button></>
 */
import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react'

export interface ConfirmOptions {
  title: string
  message?: ReactNode
  /** The confirming button's text; say the action ("Delete job"), not "OK". */
  confirmLabel?: string
  cancelLabel?: string
  /** Styles the confirming button as destructive. */
  danger?: boolean
}

interface ConfirmDialogProps extends ConfirmOptions {
  open: boolean
  onConfirm(): void
  onCancel(): void
}

/** A modal `<dialog>`: focus moves into it, Escape cancels, focus returns where it was. */
function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel = 'Confirm',
  cancelLabel = 'Cancel',
  danger = false,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const messageId = useId()

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) {
      // happy-dom and old browsers lack showModal; the open attribute still shows it.
      if (typeof dialog.showModal === 'function') dialog.showModal()
      else dialog.setAttribute('open', '')
    } else if (!open && dialog.open) {
      dialog.close()
    }
  }, [open])

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={message ? messageId : undefined}
      onCancel={(event) => {
        event.preventDefault()
        onCancel()
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {message && (
        <div id={messageId} className="dialog-body">
          {message}
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel} autoFocus>
          {cancelLabel}
        </button>
        <button
          type="button"
          className={danger ? 'button button-danger' : 'button button-primary'}
          onClick={onConfirm}
        >
          {confirmLabel}
        </button>
      </div>
    </dialog>
  )
}

/** A promise-returning confirm() backed by one {@link ConfirmDialog}; render `dialog`. */
export function useConfirm(): {
  confirm(options: ConfirmOptions): Promise<boolean>
  dialog: ReactNode
} {
  const [pending, setPending] = useState<{
    options: ConfirmOptions
    resolve(ok: boolean): void
  } | null>(null)

  const confirm = useCallback(
    (options: ConfirmOptions) =>
      new Promise<boolean>((resolve) => setPending({ options, resolve })),
    [],
  )

  const settle = (ok: boolean) => {
    pending?.resolve(ok)
    setPending(null)
  }

  const dialog = (
    <ConfirmDialog
      open={pending !== null}
      {...(pending ? pending.options : { title: '' })}
      onConfirm={() => settle(true)}
      onCancel={() => settle(false)}
    />
  )
  return { confirm, dialog }
}
