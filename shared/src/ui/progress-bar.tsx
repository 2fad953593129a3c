import { formatPercent } from '../format.ts'

export interface ProgressBarProps {
  /** 0–100. */
  value: number
  /** What the bar measures, read by screen readers ("Download progress of ubuntu.iso"). */
  label: string
  tone?: 'active' | 'done' | 'failed' | 'idle'
}

/** An accessible progress bar (`role="progressbar"`), styled by `ts-progress` in ui.css. */
export function ProgressBar({ value, label, tone = 'active' }: ProgressBarProps) {
  const pct = Math.min(100, Math.max(0, Number.isFinite(value) ? value : 0))
  return (
    <div
      className="ts-progress"
      data-tone={tone}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct * 10) / 10}
      aria-valuetext={formatPercent(pct)}
    >
      <div className="ts-progress-fill" style={{ width: `${pct}%` }} />
    </div>
  )
}
