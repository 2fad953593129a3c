import type { Job } from '@tseeder/shared'
import { isStale, useOffline } from '../../app/offline.ts'
import { Icon } from '../../ui/icon.tsx'
import { availableActions } from './available-actions.ts'
import { ACTION_UI, type JobActions } from './use-job-actions.tsx'

/**
 * A button for every action the job offers now; `small` on a list's cards, full size on the
 * job page (where resume and retry are the page's primary action).
 */
export function JobActionButtons({
  job,
  actions,
  small = false,
}: {
  job: Job
  actions: JobActions
  small?: boolean
}) {
  const running = actions.pending[job.id]
  // Every action asks the server; offline, a click could only fail.
  const offline = isStale(useOffline())
  return availableActions(job).map((action) => {
    const ui = ACTION_UI[action]
    const tone =
      ui.tone === 'danger'
        ? 'button-subtle-danger'
        : small
          ? 'button-ghost'
          : ui.tone === 'primary'
            ? 'button-primary'
            : ''
    return (
      <button
        key={action}
        type="button"
        className={['button', small && 'button-small', tone].filter(Boolean).join(' ')}
        aria-label={`${ui.label} ${job.name}`}
        disabled={running !== undefined || offline}
        title={offline ? 'Needs a connection' : undefined}
        onClick={() => void actions.run(job, action)}
      >
        <Icon name={ui.icon} size={small ? 18 : undefined} />
        {running === action ? `${ui.label}…` : ui.label}
      </button>
    )
  })
}
