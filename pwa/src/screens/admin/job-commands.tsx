import { AdminJobActionBody, allowedActions, type AdminJob, type JobStatus } from '@tseeder/shared'
import { useRef, useState } from 'react'
import { api } from '../../app/api.ts'
import { useConfirm } from '../../ui/confirm-dialog.tsx'
import { TextField } from '../../ui/field.tsx'
import { errorMessage } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import type { CursorList } from './use-cursor-list.ts'

export type JobCommand = 'cancel' | 'retry' | 'delete'

/** What an operator can do to a job of this status: what the lifecycle allows, and delete. */
export function jobCommands(status: JobStatus): JobCommand[] {
  const actions = allowedActions(status).filter(
    (action): action is 'cancel' | 'retry' => action === 'cancel' || action === 'retry',
  )
  return [...actions, 'delete']
}

export const COMMAND_LABELS: Record<JobCommand, string> = {
  cancel: 'Cancel',
  retry: 'Retry',
  delete: 'Delete',
}

const CONSEQUENCES: Record<JobCommand, string> = {
  cancel: 'The download stops. Its owner sees the job cancelled, with your reason.',
  retry: 'The job goes back to the queue, within its owner’s plan. Its owner sees your reason.',
  delete:
    'The job and its stored files are removed for its owner. The reason goes to the audit log.',
}

const DONE: Record<JobCommand, string> = {
  cancel: 'Job cancelled; its owner sees why.',
  retry: 'Job queued again; its owner sees why.',
  delete: 'Job deleted; the reason is in the audit log.',
}

/** The reason typed in the dialog, kept in a ref: the dialog's message is rendered once. */
function ReasonField({ onChange }: { onChange(reason: string): void }) {
  const [value, setValue] = useState('')
  return (
    <TextField
      label="Reason (shown to the job’s owner)"
      required
      maxLength={500}
      value={value}
      onChange={(next) => {
        setValue(next)
        onChange(next)
      }}
    />
  )
}

/**
 * Cancel, retry or delete any user's job after asking for a reason. Render `dialog`; `run` asks,
 * calls the admin API and updates the row (or reloads the list after a delete).
 */
export function useJobCommands(list: CursorList<AdminJob>) {
  const { confirm, dialog } = useConfirm()
  const [busy, setBusy] = useState<string | null>(null)
  const reason = useRef('')

  async function run(job: AdminJob, command: JobCommand) {
    reason.current = ''
    const ok = await confirm({
      title: `${COMMAND_LABELS[command]} “${job.name}”?`,
      message: (
        <>
          <p>{CONSEQUENCES[command]}</p>
          <ReasonField onChange={(next) => (reason.current = next)} />
        </>
      ),
      confirmLabel: `${COMMAND_LABELS[command]} job`,
      danger: command !== 'retry',
    })
    if (!ok) return
    const body = AdminJobActionBody.safeParse({ reason: reason.current })
    if (!body.success) {
      toast('Give a reason (up to 500 characters): the job’s owner will read it.', {
        tone: 'error',
      })
      return
    }
    const input = { params: { id: job.id }, body: body.data }
    setBusy(job.id)
    try {
      if (command === 'delete') {
        await api.adminDeleteJob(input)
        list.reload()
      } else {
        const saved = await (command === 'cancel'
          ? api.adminCancelJob(input)
          : api.adminRetryJob(input))
        list.update((row) => row.id === saved.id, saved)
      }
      toast(DONE[command], { tone: 'success' })
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' })
    } finally {
      setBusy(null)
    }
  }

  return { run, busy, dialog }
}
