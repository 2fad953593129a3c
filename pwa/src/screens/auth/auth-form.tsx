import { ApiError, formatClockTime, formatEta } from '@tseeder/shared'
import { type FormEvent, lazy, Suspense, useEffect, useRef, useState } from 'react'
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router'
import { api } from '../../app/api.ts'
import { handOverOneTimePassword } from '../../app/one-time-password.ts'
import { isReturningVisitor, useSession } from '../../app/session.tsx'
import { Field, fieldErrors } from '../../ui/field.tsx'
import { errorMessage } from '../../ui/states.tsx'
import { safeNext } from './safe-next.ts'

type Mode = 'signin' | 'signup'

/** Only servers that ask for a human check load its widget. */
const Turnstile = lazy(() => import('./turnstile.tsx').then((m) => ({ default: m.Turnstile })))

/** The field checks, in a chunk of their own (they bring zod); loaded once, early enough. */
const loadChecks = () => import('./credential-checks.ts')

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
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({})
  const [widgetError, setWidgetError] = useState<string | null>(null)
  const [returning] = useState(isReturningVisitor)
  const emailRef = useRef<HTMLInputElement>(null)
  const passwordRef = useRef<HTMLInputElement>(null)

  if (state.status === 'signed-in' && !busy) return <Navigate to={next} replace />

  // The browser's own check and the server's issues both land on the fields; a refusal that is
  // about the whole form (a 429, wrong credentials) shows above them without hiding them.
  const fields = { ...fieldErrors(error), ...localErrors }
  const formMessage = error && !hasIssues(error) ? describeAuthError(error, mode) : null
  const needsToken = Boolean(siteKey)

  async function submit(event: FormEvent) {
    event.preventDefault()
    const { credentialProblems } = await loadChecks()
    const found = credentialProblems(mode, { email, password })
    setLocalErrors(found)
    if (Object.keys(found).length > 0) {
      if (hasIssues(error)) setError(null)
      ;(found.email ? emailRef : passwordRef).current?.focus()
      return
    }
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
      else if ((await api.login({ body })).user.mustChangePassword)
        handOverOneTimePassword(password)
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
            : returning
              ? 'Welcome back. Your downloads kept going while you were away.'
              : 'First time here? tseeder downloads torrents in the cloud for you, to stream or save on any device. An account is free; if you already have one, sign in below.'}
        </p>
        {mode === 'signin' && !returning && (
          <Link to={otherLink} className="button button-block auth-first-signup">
            Create a free account
          </Link>
        )}
        <form onSubmit={submit} onFocus={() => void loadChecks()} noValidate>
          {formMessage && (
            <div className="form-error" role="alert">
              <p>{formMessage}</p>
            </div>
          )}
          <Field label="Email" error={fields.email} reserveMessage>
            {(props) => (
              <input
                {...props}
                ref={emailRef}
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
            reserveMessage
          >
            {(props) => (
              <input
                {...props}
                ref={passwordRef}
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
            <Suspense fallback={null}>
              <Turnstile
                siteKey={siteKey}
                resetKey={resetKey}
                onToken={(value) => {
                  setToken(value)
                  if (value) setWidgetError(null)
                }}
                onError={setWidgetError}
              />
            </Suspense>
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
      return tryAgainText(error.retryAfter, Date.now())
    default:
      return error.message
  }
}

function hasIssues(error: unknown): boolean {
  return Object.keys(fieldErrors(error)).length > 0
}

/**
 * The 429 sentence: how long, and the clock time that is, so it stays true while the page sits.
 *
 * @example tryAgainText(300, now) // "Too many attempts from this network. Try again in 5m, at 16:45."
 */
export function tryAgainText(retryAfter: number | undefined, now: number): string {
  if (!retryAfter) return 'Too many attempts from this network. Wait a minute and try again.'
  const at = formatClockTime(new Date(now + retryAfter * 1000).toISOString(), now)
  return `Too many attempts from this network. Try again in ${formatEta(retryAfter)}, at ${at}.`
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
