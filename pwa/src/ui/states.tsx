import type { ReactNode } from 'react'
import { ApiError } from '@tseeder/shared'

/** A screen (or part of one) that is waiting for data. */
export function LoadingState({ label }: { label: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}…</span>
    </div>
  )
}

/** Nothing to show yet, with what to do about it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <h2>{title}</h2>
      {children}
    </div>
  )
}

/** What went wrong, in the server's words when it gave some, and a way to try again. */
export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <h2>Something went wrong</h2>
      <p>{errorMessage(error)}</p>
      {retry && (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  )
}

/** A sentence a person can act on, from an `ApiError`, a network failure or anything else. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message
  if (error instanceof TypeError)
    return 'Cannot reach tseeder. Check your connection and try again.'
  if (error instanceof Error) return error.message
  return String(error)
}
