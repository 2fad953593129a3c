import type { ReactNode } from 'react'

/**
 * A table that scrolls sideways on phones; the wrapper is focusable so keyboard users can
 * scroll it too.
 */
export function TableRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      <table className="data-table">
        <caption className="visually-hidden">{label}</caption>
        {children}
      </table>
    </div>
  )
}
