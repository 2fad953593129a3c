import type { ReactNode } from 'react'

/**
 * A column heading: its text, or `{ label, numeric }` for a right-aligned number column, or
 * `{ label, hidden }` for a heading only screen readers hear (a column of buttons).
 */
export type Column = string | { label: string; numeric?: boolean; hidden?: boolean }

/**
 * A table that scrolls sideways on phones; the wrapper is focusable so keyboard users can
 * scroll it too. `children` are the body's rows.
 */
export function TableRegion({
  label,
  columns,
  children,
}: {
  label: string
  columns: readonly Column[]
  children: ReactNode
}) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      <table className="data-table">
        <caption className="visually-hidden">{label}</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const { label, numeric, hidden } =
                typeof column === 'string' ? { label: column } : column
              return (
                <th key={label} scope="col" className={numeric ? 'num' : undefined}>
                  {hidden ? <span className="visually-hidden">{label}</span> : label}
                </th>
              )
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}
