import type { Job } from '@tseeder/shared'
import { type ReactNode, useState } from 'react'
import { api } from '../../app/api.ts'
import { liveJobs } from '../../app/live.ts'
import { type ConfirmOptions, useConfirm } from '../../ui/confirm-dialog.tsx'
import type { IconName } from '../../ui/icon.tsx'
import { errorMessage } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import type { JobMenuAction } from './available-actions.ts'

/** How an action looks on a button, and what it says once done. */
export const ACTION_UI: Record<
  JobMenuAction,
  { label: string; icon: IconName; tone?: 'primary' | 'danger'; done: (job: Job) => string }
> = {
  pause: { label: 'Pause', icon: 'pause', done: () => 'Job paused' },
  resume: { label: 'Resume', icon: 'play', tone: 'primary', done: () => 'Job resumed' },
  retry: { label: 'Retry', icon: 'retry', tone: 'primary', done: () => 'Job queued again' },
  cancel: { label: 'Cancel', icon: 'stop', done: () => 'Job cancelled' },
  delete: {
    label: 'Delete',
    icon: 'trash',
    tone: 'danger',
    done: (job) => `Deleted “${job.name}”.`,
  },
}

/** The actions that cannot be undone ask first. */
const CONFIRMATIONS: Partial<Record<JobMenuAction, (job: Job) => ConfirmOptions>> = {
  delete: (job) => ({
    title: `Delete “${job.name}”?`,
    message:
      'The job and its downloaded files are removed at once. Links already shared stop working.',
    confirmLabel: 'Delete job',
    danger: true,
  }),
  cancel: (job) => ({
    title: `Cancel “${job.name}”?`,
    message: 'The download stops for good. Files already stored stay until you delete the job.',
    confirmLabel: 'Cancel download',
    cancelLabel: 'Keep downloading',
    danger: true,
  }),
}

const CALLS = {
  pause: api.pauseJob,
  resume: api.resumeJob,
  cancel: api.cancelJob,
  retry: api.retryJob,
}

export interface JobActions {
  /** Confirms when the action needs it, calls the API, updates the live store, toasts the outcome. */
  run(job: Job, action: JobMenuAction): Promise<void>
  /** The action running for each job, if any. */
  pending: Readonly<Record<string, JobMenuAction>>
  /** The confirmation dialog; render it once. */
  dialog: ReactNode
}

/**
 * Job actions (pause, resume, retry, cancel, delete) as the dashboard and the job page run them.
 *
 * @example
 * const actions = useJobActions({ onDeleted: () => navigate('/') })
 * return <>{actions.dialog}<JobActionButtons job={job} actions={actions} /></>
 */
export function useJobActions(
  options: { onChanged?(job: Job): void; onDeleted?(job: Job): void } = {},
): JobActions {
  const { confirm, dialog } = useConfirm()
  const [pending, setPending] = useState<Record<string, JobMenuAction>>({})

  async function run(job: Job, action: JobMenuAction) {
    const confirmation = CONFIRMATIONS[action]
    if (confirmation && !(await confirm(confirmation(job)))) return
    setPending((current) => ({ ...current, [job.id]: action }))
    try {
      const params = { params: { id: job.id } }
      if (action === 'delete') {
        await api.deleteJob(params)
        liveJobs.remove(job.id)
        options.onDeleted?.(job)
      } else {
        const next = await CALLS[action](params)
        liveJobs.upsert(next)
        options.onChanged?.(next)
      }
      toast(ACTION_UI[action].done(job), { tone: 'success' })
    } catch (error) {
      const label = ACTION_UI[action].label.toLowerCase()
      toast(`Could not ${label} “${job.name}”: ${errorMessage(error)}`, { tone: 'error' })
    } finally {
      setPending(({ [job.id]: _done, ...rest }) => rest)
    }
  }

  return { run, pending, dialog }
}
