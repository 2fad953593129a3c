/**
 * A labelled form field with its error under it, wired for screen readers.
 *
 *   <Field label="Email" error={errors.email} hint="…">{(props) => <input {...props} type="email" />}</Field>
 *   <TextField label="User id" value={userId} onChange={setUserId} placeholder="Any user" />
 *   fieldErrors(error: unknown): Record<string, string>   // ApiError.issues by first path segment
 */
import { ApiError } from '@tseeder/shared'
import { type InputHTMLAttributes, type ReactNode, useId } from 'react'

export interface FieldControlProps {
  id: string
  'aria-invalid': boolean | undefined
  'aria-describedby': string | undefined
}

/**
 * The error takes the hint's place (the hint says the same thing, less urgently), and
 * `reserveMessage` keeps a line free for one, so an error appearing does not move the form.
 */
export function Field({
  label,
  error,
  hint,
  reserveMessage = false,
  children,
}: {
  label: ReactNode
  error?: string | null
  hint?: ReactNode
  reserveMessage?: boolean
  children(props: FieldControlProps): ReactNode
}) {
  const id = useId()
  const messageId = error || hint ? `${id}-${error ? 'error' : 'hint'}` : undefined
  return (
    <div className="field" data-invalid={error ? true : undefined}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': messageId })}
      {error ? (
        <p id={messageId} className="field-error">
          {error}
        </p>
      ) : hint ? (
        <p id={messageId} className="field-hint">
          {hint}
        </p>
      ) : (
        reserveMessage && <p className="field-hint" aria-hidden="true" />
      )}
    </div>
  )
}

/**
 * A `Field` around a text input whose value is a plain string; any other attribute goes to the
 * input.
 *
 * @example
 * <TextField label="Search by email" type="search" value={query} onChange={setQuery} />
 */
export function TextField({
  label,
  error,
  hint,
  value,
  onChange,
  className = 'input',
  ...input
}: {
  label: ReactNode
  error?: string | null
  hint?: ReactNode
  value: string
  onChange(value: string): void
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(props) => (
        <input
          {...props}
          {...input}
          className={className}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </Field>
  )
}

/**
 * Field-level messages from an `ApiError`'s issues, keyed by the first path segment
 * (`{email: 'must be a valid email address'}`).
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || !error.issues) return {}
  return issueMessages(error.issues)
}

/**
 * Field-level messages from schema issues (a zod `safeParse` failure in the browser, or an
 * `ApiError`'s issues), keyed by the first path segment, first issue per field.
 */
export function issueMessages(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const issue of issues) {
    const key = String(issue.path[0] ?? '')
    if (key && !errors[key]) errors[key] = capitalise(issue.message)
  }
  return errors
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
