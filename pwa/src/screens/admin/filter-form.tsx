import { type FormEvent, type ReactNode, useState } from 'react'

/**
 * The filter bar above an admin table: its fields, the button that applies them, then any other
 * buttons (`actions`, e.g. "Clear").
 */
export function FilterForm({
  onFilter,
  submitLabel = 'Filter',
  search = false,
  actions,
  children,
}: {
  onFilter(): void
  submitLabel?: string
  /** A search box rather than filters: the form is a `search` landmark. */
  search?: boolean
  actions?: ReactNode
  children: ReactNode
}) {
  function submit(event: FormEvent) {
    event.preventDefault()
    onFilter()
  }
  return (
    <form className="filters" role={search ? 'search' : undefined} onSubmit={submit}>
      {children}
      <button type="submit" className="button">
        {submitLabel}
      </button>
      {actions}
    </form>
  )
}

/**
 * A filter typed into a field and applied when the form is submitted: `field` goes on the
 * `TextField`, `applied` is the trimmed text of the last submit, `set` fills in and applies a
 * value at once (a click on a row's user, say).
 */
export function useTextFilter() {
  const [draft, setDraft] = useState('')
  const [applied, setApplied] = useState('')
  return {
    applied,
    field: { value: draft, onChange: setDraft },
    apply: () => setApplied(draft.trim()),
    set(value: string) {
      setDraft(value)
      setApplied(value)
    },
  }
}
