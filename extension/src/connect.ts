// The options page's "Connect": check the fields, get host access to the server, verify the
// token with `GET /api/auth/me`, check its scopes, and keep the result.
import type { Client, MeResponse, Scope } from '@tseeder/shared'
import { describeFailure } from './failures.ts'
import { clientFor } from './server.ts'
import { parseApiToken, parseServerUrl } from './settings.ts'
import type { Connection } from './storage.ts'
import { missingScopesMessage, probeScopes, REQUIRED_SCOPES } from './token-scopes.ts'

export class ConnectError extends Error {
  override readonly name = 'ConnectError'
  constructor(
    message: string,
    /** The field to point at, when one is at fault. */
    readonly field?: 'serverUrl' | 'token',
  ) {
    super(message)
  }
}

export interface ConnectDeps {
  /** Asks the browser for host access (a prompt; must run within the user's click). */
  requestAccess(permission: string): Promise<boolean>
  client?(connection: Pick<Connection, 'serverUrl' | 'token'>): Client
  now?(): Date
}

/** Verifies the fields against the server and returns the connection to store. */
export async function connect(
  fields: { serverUrl: string; token: string },
  deps: ConnectDeps,
): Promise<Connection> {
  const server = parseServerUrl(fields.serverUrl)
  if (!server.ok) throw new ConnectError(server.message, 'serverUrl')
  const token = parseApiToken(fields.token)
  if (!token.ok) throw new ConnectError(token.message, 'token')

  const granted = await deps.requestAccess(server.value.permission)
  if (!granted) {
    throw new ConnectError(
      `The extension needs access to ${server.value.origin} to talk to tseeder. Click Connect again and allow it.`,
    )
  }
  const serverUrl = server.value.origin
  const client = (deps.client ?? clientFor)({ serverUrl, token: token.value })
  let me: MeResponse
  let scopes: Scope[]
  try {
    me = await client.me()
    scopes = await probeScopes(client)
  } catch (error) {
    throw connectFailure(error, serverUrl)
  }
  if (REQUIRED_SCOPES.some((scope) => !scopes.includes(scope))) {
    throw new ConnectError(missingScopesMessage(scopes)!, 'token')
  }
  return {
    serverUrl,
    token: token.value,
    email: me.user.email,
    planName: me.plan.name,
    maxTransfers: me.plan.maxActiveJobs,
    connectedAt: (deps.now?.() ?? new Date()).toISOString(),
    revoked: false,
    scopes,
  }
}

function connectFailure(error: unknown, serverUrl: string): ConnectError {
  const failure = describeFailure(error, serverUrl)
  if (failure.kind === 'revoked') {
    return new ConnectError(
      'tseeder did not accept this API token: it is mistyped or was revoked. Create a new token in tseeder and paste it here.',
      'token',
    )
  }
  return new ConnectError(
    failure.message,
    failure.kind === 'unreachable' || failure.kind === 'not_tseeder' ? 'serverUrl' : undefined,
  )
}
