/**
 * The signed-in user.
 *
 *   <SessionProvider>             // main.tsx
 *   useSession(): { state, refresh(), signOut() }
 *   useMe(): MeResponse           // only under RequireAuth
 *   signOutHooks.add(async () => …): () => void   // work before sign-out (push unsubscribe)
 *
 * Offline, `/api/auth/me` cannot be reached: the last known answer (kept in localStorage without
 * its CSRF token) stands in, so the cached job list still shows instead of a sign-in screen.
 */
import { ApiError, type MeResponse } from '@tseeder/shared'
import { createContext, type ReactNode, use, useCallback, useEffect, useState } from 'react'
import { api, sessionChecks } from './api.ts'
import { clearApiCache } from './offline.ts'

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'error'; error: Error }
  /** `offline`: the server could not be reached; `me` is the last known answer. */
  | { status: 'signed-in'; me: MeResponse; offline?: boolean }

export interface Session {
  state: SessionState
  /** Re-reads `/api/auth/me` (after sign-in, AUP acceptance, plan changes). */
  refresh(): Promise<void>
  /** Signs out here and on the server; also drops this device's push subscription. */
  signOut(): Promise<void>
}

const SessionContext = createContext<Session | null>(null)
const LAST_ME_KEY = 'tseeder.lastMe'
/** Kept after sign-out: only says this browser has been signed in to some account before. */
const RETURNING_KEY = 'tseeder.returning'

/** True when this browser has been signed in before, so "welcome back" is true. */
export function isReturningVisitor(): boolean {
  try {
    return (
      localStorage.getItem(RETURNING_KEY) !== null || localStorage.getItem(LAST_ME_KEY) !== null
    )
  } catch {
    return false
  }
}

function rememberMe(me: MeResponse | null) {
  try {
    if (me) localStorage.setItem(RETURNING_KEY, '1')
    if (me) localStorage.setItem(LAST_ME_KEY, JSON.stringify({ ...me, csrfToken: null }))
    else localStorage.removeItem(LAST_ME_KEY)
  } catch {
    // Storage can be full or disabled (private mode); offline start-up then needs the network.
  }
}

function hasSignedInBefore(): boolean {
  try {
    return localStorage.getItem(LAST_ME_KEY) !== null
  } catch {
    return true
  }
}

async function lastKnownMe(): Promise<MeResponse | null> {
  try {
    const { parseStoredMe } = await import('./stored-me.ts')
    return parseStoredMe(localStorage.getItem(LAST_ME_KEY))
  } catch {
    return null
  }
}

/** True for a failure to reach the server at all (as opposed to an answer saying no). */
function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError && !(error instanceof ApiError)
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' })

  /**
   * `quiet`: a browser that never signed in (or signed out) has no session to find, so the
   * start-up check is skipped instead of logging a 401 before every sign-in page.
   */
  const check = useCallback(async (quiet: boolean) => {
    if (quiet && !hasSignedInBefore()) {
      setState({ status: 'signed-out' })
      return
    }
    try {
      const me = await api.me()
      api.csrfToken = me.csrfToken
      rememberMe(me)
      setState({ status: 'signed-in', me })
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        rememberMe(null)
        await clearApiCache()
        setState({ status: 'signed-out' })
        return
      }
      const last = isNetworkFailure(error) ? await lastKnownMe() : null
      if (last) setState({ status: 'signed-in', me: last, offline: true })
      else setState({ status: 'error', error: error as Error })
    }
  }, [])

  const refresh = useCallback(() => check(false), [check])

  const signOut = useCallback(async () => {
    await signOutHooks.run()
    await api.logout().catch(() => undefined)
    rememberMe(null)
    await clearApiCache().catch(() => undefined)
    setState({ status: 'signed-out' })
  }, [])

  useEffect(() => {
    void check(true)
  }, [check])

  // Something said the session may be over (a 401, the event stream refused): confirm it.
  const signedIn = state.status === 'signed-in'
  useEffect(() => {
    if (!signedIn) return
    const onCheck = () => void refresh()
    sessionChecks.addEventListener('check', onCheck)
    return () => sessionChecks.removeEventListener('check', onCheck)
  }, [signedIn, refresh])

  // Back online after an offline start: confirm the session (it may have been revoked meanwhile).
  const offline = state.status === 'signed-in' && state.offline === true
  useEffect(() => {
    if (!offline) return
    const onOnline = () => void refresh()
    window.addEventListener('online', onOnline)
    return () => window.removeEventListener('online', onOnline)
  }, [offline, refresh])

  return <SessionContext value={{ state, refresh, signOut }}>{children}</SessionContext>
}

export function useSession(): Session {
  const session = use(SessionContext)
  if (!session) throw new Error('useSession() needs a <SessionProvider>')
  return session
}

/** The signed-in user's `/api/auth/me` answer; only for screens behind `RequireAuth`. */
export function useMe(): MeResponse {
  const { state } = useSession()
  if (state.status !== 'signed-in') throw new Error('useMe() outside a signed-in screen')
  return state.me
}

/** Work to do before the session ends (push unsubscribe), registered by the features that need it. */
export const signOutHooks = {
  hooks: new Set<() => Promise<void>>(),
  add(hook: () => Promise<void>) {
    this.hooks.add(hook)
    return () => this.hooks.delete(hook)
  },
  async run() {
    await Promise.allSettled([...this.hooks].map((hook) => hook()))
  },
}
