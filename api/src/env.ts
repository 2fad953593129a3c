import type { Context } from 'hono'
import type { RequestIdVariables } from 'hono/request-id'
import type { Scope } from '@tseeder/shared'
import type { UserRow } from './db/users.ts'

/** Who is calling, resolved once per request by `authenticate`. */
export interface AuthContext {
  user: UserRow
  via: 'session' | 'token'
  sessionId: string | null
  csrfToken: string | null
  tokenId: string | null
  /** Scopes of an API token; null for a browser session, which may do anything its role allows. */
  scopes: readonly Scope[] | null
}

export type AppEnv = {
  Bindings: Env
  Variables: RequestIdVariables & {
    auth: AuthContext | null
    /** Why a presented credential was not accepted, for a precise 401. */
    authProblem: 'session_expired' | null
  }
}

export type AppContext = Context<AppEnv>
