import { useState } from 'react'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import { api } from '../../app/api.ts'
import { useSession } from '../../app/session.tsx'
import { ErrorState, LoadingState, errorMessage } from '../../ui/states.tsx'
import { safeNext } from './safe-next.ts'
import { AuthBrand } from './auth-form.tsx'

/** The acceptable use policy; nothing else in the app opens until it is accepted. */
export default function Aup() {
  const { state, refresh, signOut } = useSession()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const next = safeNext(params.get('next'))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  if (state.status === 'loading') return <LoadingState label="Loading your account" />
  if (state.status === 'error')
    return <ErrorState error={state.error} retry={() => void refresh()} />
  if (state.status === 'signed-out') {
    return <Navigate to={`/signin?next=${encodeURIComponent(`/aup?next=${next}`)}`} replace />
  }
  if (state.me.user.mustChangePassword) {
    return (
      <Navigate to={`/choose-password?next=${encodeURIComponent(`/aup?next=${next}`)}`} replace />
    )
  }
  if (state.me.user.aupAcceptedAt && !busy) return <Navigate to={next} replace />

  async function accept() {
    setBusy(true)
    setError(null)
    try {
      await api.acceptAup({ body: { accept: true } })
      await refresh()
      navigate(next, { replace: true })
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="auth-page">
      <AuthBrand />
      <main className="card aup-card" aria-labelledby="aup-title">
        <h1 id="aup-title">Acceptable use policy</h1>
        <p className="lede muted">
          Before your first download, read and accept how tseeder may be used. You only do this
          once.
        </p>
        <div className="aup-text" tabIndex={0} role="region" aria-label="Policy text">
          <h2>1. Your content, your responsibility</h2>
          <p>
            Only add torrents you have the right to download and store: content you own, content
            licensed to you, or content its rights holders share freely (Linux images, public-domain
            films, Creative Commons works…).
          </p>
          <h2>2. Not allowed</h2>
          <ul>
            <li>Material that infringes copyright or other intellectual property.</li>
            <li>Child sexual abuse material, or any content illegal where you or we are.</li>
            <li>Malware, or using tseeder to attack, scan or overload other systems.</li>
            <li>Sharing your account or download links to get around plan limits.</li>
          </ul>
          <h2>3. What we do</h2>
          <p>
            We refuse torrents on our blocklist, act on valid takedown notices, and keep an audit
            log of account actions. Files are removed when you delete a job or when your plan’s
            retention ends.
          </p>
          <h2>4. Enforcement</h2>
          <p>
            Breaking this policy can get content removed and accounts suspended, without refund of
            paid plans. Serious cases are reported to the authorities.
          </p>
        </div>
        {error !== null && (
          <div className="form-error" role="alert">
            <p>{errorMessage(error)}</p>
          </div>
        )}
        <div className="button-row">
          <button
            type="button"
            className="button button-primary"
            onClick={() => void accept()}
            disabled={busy}
          >
            {busy ? 'Accepting…' : 'I accept the policy'}
          </button>
          <button type="button" className="button button-ghost" onClick={() => void signOut()}>
            Decline and sign out
          </button>
        </div>
      </main>
    </div>
  )
}
