import { ChangePasswordBody, DeleteAccountBody } from '@tseeder/shared'
import { type FormEvent, useRef, useState } from 'react'
import { useNavigate } from 'react-router'
import { api } from '../../app/api.ts'
import { signOutHooks, useSession } from '../../app/session.tsx'
import { useConfirm } from '../../ui/confirm-dialog.tsx'
import { Field, fieldErrors, issueMessages } from '../../ui/field.tsx'
import { errorMessage } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'

type Errors = Record<string, string>

/** Field errors from the browser's own check, or from the server's answer; else a form error. */
function errorsOf(error: unknown): Errors {
  const fields = fieldErrors(error)
  return Object.keys(fields).length > 0 ? fields : { form: errorMessage(error) }
}

export interface ChangePasswordFormProps {
  /**
   * After an operator's reset: the form is the page's, asks for the one-time password (unless
   * the sign-in just handed it over) and calls `onChanged` instead of showing a toast.
   */
  forced?: { oneTimePassword: string | null; onChanged(): Promise<void> }
}

/** Current and new password; the server signs out every other session. */
export function ChangePasswordForm({ forced }: ChangePasswordFormProps = {}) {
  const [currentPassword, setCurrent] = useState(forced?.oneTimePassword ?? '')
  const askCurrent = !forced?.oneTimePassword
  const [newPassword, setNew] = useState('')
  const [errors, setErrors] = useState<Errors>({})
  const [busy, setBusy] = useState(false)
  const currentRef = useRef<HTMLInputElement>(null)
  const newRef = useRef<HTMLInputElement>(null)

  async function submit(event: FormEvent) {
    event.preventDefault()
    const checked = ChangePasswordBody.safeParse({ currentPassword, newPassword })
    if (!checked.success) {
      const found = issueMessages(checked.error.issues)
      setErrors(found)
      ;(found.currentPassword ? currentRef : newRef).current?.focus()
      return
    }
    setBusy(true)
    setErrors({})
    try {
      await api.changePassword({ body: checked.data })
      if (forced) return await forced.onChanged()
      setCurrent('')
      setNew('')
      toast('Password changed. Your other devices were signed out.', { tone: 'success' })
    } catch (error) {
      const found = errorsOf(error)
      setErrors(found)
      if (found.currentPassword) currentRef.current?.focus()
    } finally {
      setBusy(false)
    }
  }

  const edit = (set: (value: string) => void) => (value: string) => {
    set(value)
    if (Object.keys(errors).length > 0) setErrors({})
  }

  const form = (
    <form onSubmit={(event) => void submit(event)} noValidate>
      {errors.form && (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      )}
      {(askCurrent || errors.currentPassword) && (
        <Field
          label={forced ? 'One-time password' : 'Current password'}
          error={errors.currentPassword}
          hint={forced ? 'The password your administrator gave you.' : undefined}
          reserveMessage
        >
          {(props) => (
            <input
              {...props}
              ref={currentRef}
              type="password"
              autoComplete="current-password"
              value={currentPassword}
              onChange={(event) => edit(setCurrent)(event.target.value)}
            />
          )}
        </Field>
      )}
      <Field label="New password" error={errors.newPassword} hint="At least 10 characters.">
        {(props) => (
          <input
            {...props}
            ref={newRef}
            type="password"
            autoComplete="new-password"
            value={newPassword}
            onChange={(event) => edit(setNew)(event.target.value)}
          />
        )}
      </Field>
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy
          ? forced
            ? 'Saving…'
            : 'Changing password…'
          : forced
            ? 'Save and continue'
            : 'Change password'}
      </button>
    </form>
  )
  if (forced) return form
  return (
    <section className="card settings-card" aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      <p className="section-meta">Your other devices are signed out; this one stays signed in.</p>
      {form}
    </section>
  )
}

/** Ends every session of the account, this one included. */
export function SignOutEverywhere() {
  const { signOut } = useSession()
  const navigate = useNavigate()
  const { confirm, dialog } = useConfirm()
  const [busy, setBusy] = useState(false)

  async function run() {
    const ok = await confirm({
      title: 'Sign out everywhere?',
      message: 'Every device signed in to your account is signed out, this one too.',
      confirmLabel: 'Sign out all devices',
      danger: true,
    })
    if (!ok) return
    setBusy(true)
    try {
      // This device's notifications are dropped while its session still works.
      await signOutHooks.run()
      await api.signOutEverywhere()
      await signOut()
      void navigate('/signin', { replace: true })
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' })
      setBusy(false)
    }
  }

  return (
    <>
      {dialog}
      <button
        type="button"
        className="button button-danger"
        disabled={busy}
        onClick={() => void run()}
      >
        {busy ? 'Signing out everywhere…' : 'Sign out everywhere'}
      </button>
    </>
  )
}

/** Deletes the account and all it holds, after the password and a confirmation. */
export function DeleteAccountSection() {
  const { signOut } = useSession()
  const navigate = useNavigate()
  const { confirm, dialog } = useConfirm()
  const [password, setPassword] = useState('')
  const [errors, setErrors] = useState<Errors>({})
  const [busy, setBusy] = useState(false)
  const passwordRef = useRef<HTMLInputElement>(null)

  async function submit(event: FormEvent) {
    event.preventDefault()
    const checked = DeleteAccountBody.safeParse({ password })
    if (!checked.success) {
      setErrors(issueMessages(checked.error.issues))
      passwordRef.current?.focus()
      return
    }
    const ok = await confirm({
      title: 'Delete your account?',
      message:
        'Your jobs, their files, your API tokens and every signed-in device are removed at once. This cannot be undone.',
      confirmLabel: 'Delete account and files',
      danger: true,
    })
    if (!ok) return
    setBusy(true)
    setErrors({})
    try {
      await signOutHooks.run()
      await api.deleteAccount({ body: checked.data })
      await signOut()
      void navigate('/signin', { replace: true })
    } catch (error) {
      setErrors(errorsOf(error))
      passwordRef.current?.focus()
      setBusy(false)
    }
  }

  return (
    <section className="card settings-card" aria-labelledby="delete-heading">
      {dialog}
      <h2 id="delete-heading">Delete account</h2>
      <p className="section-meta">
        Removes your jobs and their files, your API tokens and your devices’ sessions.
      </p>
      <form onSubmit={(event) => void submit(event)} noValidate>
        {errors.form && (
          <p className="form-error" role="alert">
            {errors.form}
          </p>
        )}
        <Field label="Your password" error={errors.password} reserveMessage>
          {(props) => (
            <input
              {...props}
              ref={passwordRef}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => {
                setPassword(event.target.value)
                if (Object.keys(errors).length > 0) setErrors({})
              }}
            />
          )}
        </Field>
        <button type="submit" className="button button-danger" disabled={busy}>
          {busy ? 'Deleting…' : 'Delete my account'}
        </button>
      </form>
    </section>
  )
}
