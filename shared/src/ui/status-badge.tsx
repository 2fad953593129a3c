import { STATUS_LABELS } from '../lifecycle.ts'
import type { JobStatus } from '../schemas/status.ts'

/** The status pill; the label text comes from `STATUS_LABELS`, the colour from `ui.css`. */
export function StatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className="ts-status" data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  )
}

/** The progress bar tone for a status. */
export function statusTone(status: JobStatus): 'active' | 'done' | 'failed' | 'idle' {
  if (status === 'completed') return 'done'
  if (status === 'failed' || status === 'cancelled') return 'failed'
  if (status === 'paused') return 'idle'
  return 'active'
}
