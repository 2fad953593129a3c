import { useState } from 'react'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import { takeOneTimePassword } from '../../app/one-time-password.ts'
import { useSession } from '../../app/session.tsx'
import { ErrorState, LoadingState } from '../../ui/states.tsx'
import { ChangePasswordForm } from '../settings/security-section.tsx'
import { AuthBrand } from './auth-form.tsx'
import { safeNext } from './safe-next.ts'

/**
 * "Choose a new password": where a sign-in with an operator's one-time password leads, before
 * anything else of the app (the API refuses the rest with `password_change_required`).
 */
export default function ChoosePassword() {
  const { state, refresh, signOut } = useSession()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const next = safeNext(params.get('next'))
  const [oneTimePassword] = useState(takeOneTimePassword)
  const [done, setDone] = useState(false)

  if (state.status === 'loading') return <LoadingState label="Loading your account" />
  if (state.status === 'error')
    return <ErrorState error={state.error} retry={() => void refresh()} />
  if (state.status === 'signed-out') {
    const back = `/choose-password?next=${encodeURIComponent(next)}`
    return <Navigate to={`/signin?next=${encodeURIComponent(back)}`} replace />
  }
  if (!state.me.user.mustChangePassword && !done) return <Navigate to={next} replace />

  return (
    <div className="auth-page">
      <AuthBrand />
      <main className="card auth-card" aria-labelledby="choose-password-title">
        <h1 id="choose-password-title">Choose a new password</h1>
        <p className="lede">
          The password you signed in with was for one sign-in only. Choose your own to continue;
          your other devices stay signed out.
        </p>
        <ChangePasswordForm
          forced={{
            oneTimePassword,
            async onChanged() {
              setDone(true)
              await refresh()
              navigate(next, { replace: true })
            },
          }}
        />
        <p>
          <button type="button" className="button button-ghost" onClick={() => void signOut()}>
            Sign out
          </button>
        </p>
      </main>
    </div>
  )
}
