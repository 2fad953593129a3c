import { ApiError, formatEta } from '@tseeder/shared'
import { type FormEvent, useEffect, useState } from 'react'
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router'
import { api } from '../../app/api.ts'
import { useSession } from '../../app/session.tsx'
import { Field, fieldErrors } from '../../ui/field.tsx'
import { errorMessage } from '../../ui/states.tsx'
import { safeNext } from './safe-next.ts'
import { Turnstile } from './turnstile.tsx'

type Mode = 'signin' | 'signup'

/** `undefined` while asking the server whether forms need a Turnstile token. */
function useTurnstileSiteKey(): string | null | undefined {
  const [siteKey, setSiteKey] = useState<string | null | undefined>(undefined)
  useEffect(() => {
    let cancelled = false
    api
      .config()
      .then((config) => !cancelled && setSiteKey(config.turnstileSiteKey))
      // Without the config the form still works; the server says so if it wanted a token.
      .catch(() => !cancelled && setSiteKey(null))
    return () => {
      cancelled = true
    }
  }, [])
  return siteKey
}

/** Sign-in and sign-up share one form: email, password, the human check when configured. */
export function AuthForm({ mode }: { mode: Mode }) {
  const { state, refresh } = useSession()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const next = safeNext(params.get('next'))
  const siteKey = useTurnstileSiteKey()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [token, setToken] = useState<string | null>(null)
  const [resetKey, setResetKey] = useState(0)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [widgetError, setWidgetError] = useState<string | null>(null)

  if (state.status === 'signed-in' && !busy) return <Navigate to={next} replace />

  const fields = fieldErrors(error)
  const formMessage =
    error && Object.keys(fields).length === 0 ? describeAuthError(error, mode) : null
  const needsToken = Boolean(siteKey)

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (needsToken && !token) {
      setError(null)
      setWidgetError('Complete the human check first.')
      return
    }
    setBusy(true)
    setError(null)
    try {
      const body = { email, password, ...(token ? { turnstileToken: token } : {}) }
      if (mode === 'signup') await api.register({ body })
      else await api.login({ body })
      await refresh()
      navigate(next, { replace: true })
    } catch (failure) {
      setError(failure)
      if (needsToken) setResetKey((key) => key + 1)
    } finally {
      setBusy(false)
    }
  }

  const title = mode === 'signup' ? 'Create your account' : 'Sign in'
  const otherLink = `${mode === 'signup' ? '/signin' : '/signup'}${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`

  return (
    <div className="auth-page">
      <AuthBrand />
      <main className="card auth-card">
        <h1>{title}</h1>
        <p className="lede">
          {mode === 'signup'
            ? 'Send a magnet link or a .torrent; tseeder fetches it in the cloud for you.'
            : 'Welcome back. Your downloads kept going while you were away.'}
        </p>
        <form onSubmit={submit} noValidate>
          {formMessage && (
            <div className="form-error" role="alert">
              <p>{formMessage}</p>
            </div>
          )}
          <Field label="Email" error={fields.email}>
            {(props) => (
              <input
                {...props}
                type="email"
                name="email"
                autoComplete="email"
                inputMode="email"
                required
                value={email}
                onChange={(event) => setEmail(event.target.value)}
              />
            )}
          </Field>
          <Field
            label="Password"
            error={fields.password}
            hint={mode === 'signup' ? 'At least 10 characters.' : undefined}
          >
            {(props) => (
              <input
                {...props}
                type="password"
                name="password"
                autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
                required
                minLength={mode === 'signup' ? 10 : undefined}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
            )}
          </Field>
          {siteKey && (
            <Turnstile
              siteKey={siteKey}
              resetKey={resetKey}
              onToken={(value) => {
                setToken(value)
                if (value) setWidgetError(null)
              }}
              onError={setWidgetError}
            />
          )}
          {(widgetError || fields.turnstileToken) && (
            <p className="field-error" role="alert">
              {widgetError ?? fields.turnstileToken}
            </p>
          )}
          <button
            type="submit"
            className="button button-primary button-block"
            disabled={busy || siteKey === undefined}
          >
            {busy ? (mode === 'signup' ? 'Creating account…' : 'Signing in…') : title}
          </button>
        </form>
        <p className="auth-switch">
          {mode === 'signup' ? 'Already have an account? ' : 'New to tseeder? '}
          <Link to={otherLink}>{mode === 'signup' ? 'Sign in' : 'Create an account'}</Link>
        </p>
      </main>
    </div>
  )
}

function describeAuthError(error: unknown, mode: Mode): string {
  if (!(error instanceof ApiError)) return errorMessage(error)
  switch (error.code) {
    case 'invalid_credentials':
      return 'That email and password do not match an account.'
    case 'email_taken':
      return mode === 'signup'
        ? 'An account with this email already exists. Sign in instead.'
        : error.message
    case 'account_suspended':
      return 'This account is suspended. Contact the administrator.'
    case 'turnstile_failed':
      return 'The human check failed. Try again.'
    case 'rate_limited':
      return error.retryAfter
        ? `Too many attempts. Try again in ${formatEta(error.retryAfter)}.`
        : 'Too many attempts. Wait a moment and try again.'
    default:
      return error.message
  }
}

/** The logo above the sign-in, sign-up and policy cards. */
export function AuthBrand() {
  return (
    <div className="auth-brand" aria-hidden="true">
      <img src="/icons/favicon.svg" alt="" width="36" height="36" />
      tseeder
    </div>
  )
}
