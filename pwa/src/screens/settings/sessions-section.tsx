import type { DeviceSession } from '@tseeder/shared'
import { useCallback, useEffect, useState } from 'react'
import { useNavigate } from 'react-router'
import { api } from '../../app/api.ts'
import { useSession } from '../../app/session.tsx'
import { useConfirm } from '../../ui/confirm-dialog.tsx'
import { EmptyState, ErrorState, errorMessage, LoadingState } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import { formatDate } from './dates.ts'

type ListState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; sessions: DeviceSession[] }

/** `/settings/devices`: where this account is signed in, with a way to end each session. */
export function SessionsSection() {
  const [state, setState] = useState<ListState>({ status: 'loading' })
  const [revoking, setRevoking] = useState<string | null>(null)
  const { confirm, dialog } = useConfirm()
  const { signOut } = useSession()
  const navigate = useNavigate()

  const load = useCallback(async () => {
    try {
      const { sessions } = await api.listSessions()
      setState({ status: 'ready', sessions })
    } catch (error) {
      setState({ status: 'error', error })
    }
  }, [])

  useEffect(() => {
    void load()
  }, [load])

  async function revoke(session: DeviceSession) {
    const ok = await confirm({
      title: session.current ? 'Sign out this device?' : `Sign out ${session.deviceLabel}?`,
      message: session.current
        ? 'This is the device you are using; you will be signed out here.'
        : 'That device will have to sign in again.',
      confirmLabel: 'Sign out device',
      danger: true,
    })
    if (!ok) return
    setRevoking(session.id)
    try {
      if (session.current) {
        // Through the session's own sign-out, so this device also drops its push subscription.
        await signOut()
        void navigate('/signin', { replace: true })
        return
      }
      await api.revokeSession({ params: { id: session.id } })
      toast(`${session.deviceLabel} signed out`, { tone: 'success' })
      await load()
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' })
    } finally {
      setRevoking(null)
    }
  }

  return (
    <section className="card settings-card" aria-labelledby="sessions-heading">
      {dialog}
      <h2 id="sessions-heading">Signed-in devices</h2>
      {state.status === 'loading' && <LoadingState label="Loading your devices" />}
      {state.status === 'error' && <ErrorState error={state.error} retry={() => void load()} />}
      {state.status === 'ready' && state.sessions.length === 0 && (
        <EmptyState title="No signed-in devices" />
      )}
      {state.status === 'ready' && state.sessions.length > 0 && (
        <ul className="item-list">
          {state.sessions.map((session) => (
            <li key={session.id} className="item" data-current={session.current || undefined}>
              <div className="item-main">
                <p className="item-title">
                  {session.deviceLabel}
                  {session.current && <span className="tag tag-accent">This device</span>}
                </p>
                <p className="item-meta">
                  {session.ip && <>{session.ip} · </>}
                  signed in {formatDate(session.createdAt)} · last seen{' '}
                  {formatDate(session.lastSeenAt)}
                </p>
              </div>
              <button
                type="button"
                className="button button-small button-subtle-danger"
                disabled={revoking !== null}
                aria-label={
                  session.current ? 'Sign out this device' : `Sign out ${session.deviceLabel}`
                }
                onClick={() => void revoke(session)}
              >
                {revoking === session.id ? 'Signing out…' : 'Sign out'}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
