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
    /** The route's first read, batched with the credential lookup (`batchWithCredential`). */
    prefetched: unknown
    /** The agent that signed an `/internal/*` request, with its raw body. */
    agent: { id: string; signedAt: number; body: string }
  }
}

export type AppContext = Context<AppEnv>

declare global {
  namespace Cloudflare {
    interface Env {
      /**
       * mTLS client certificate for calls to agents: configured in production only
       * (`mtls_certificates` in wrangler.toml, see DEPLOYMENT.md); absent locally.
       */
      AGENT_MTLS?: Fetcher
    }
  }
}
