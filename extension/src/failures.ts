// Turns whatever a call to the server threw into one sentence a person can act on.
import { ApiError } from '@tseeder/shared'
import { scopeFailureMessage } from './token-scopes.ts'

export type FailureKind = 'revoked' | 'unreachable' | 'not_tseeder' | 'refused'

export interface Failure {
  kind: FailureKind
  message: string
}

export const RECONNECT_MESSAGE =
  'tseeder no longer accepts this extension\u2019s API token (it was revoked or has expired). Reconnect in the extension\u2019s options with a new token.'

/**
 * Classifies a failed call: a 401 means the token is gone (reconnect); a network error means
 * the server is unreachable; an answer that is not tseeder's API means a wrong URL; any other
 * refusal carries the server's own message (quota, blocked, invalid link…).
 */
export function describeFailure(error: unknown, serverUrl: string): Failure {
  if (error instanceof ApiError) {
    if (error.status === 401) return { kind: 'revoked', message: RECONNECT_MESSAGE }
    if (error.code === 'http_error') return notTseeder(serverUrl)
    const lacking = scopeFailureMessage(error)
    if (lacking) return { kind: 'refused', message: lacking }
    return { kind: 'refused', message: error.message }
  }
  if (error instanceof SyntaxError || (error instanceof Error && error.name === 'ZodError')) {
    return notTseeder(serverUrl)
  }
  if (error instanceof TypeError) {
    return {
      kind: 'unreachable',
      message: `Could not reach ${serverUrl}. Check the Server URL and your connection, then try again.`,
    }
  }
  return {
    kind: 'refused',
    message: error instanceof Error ? error.message : 'Something went wrong. Try again.',
  }
}

function notTseeder(serverUrl: string): Failure {
  return {
    kind: 'not_tseeder',
    message: `${serverUrl} answered, but not as a tseeder server. Check the Server URL (the address you open tseeder at).`,
  }
}
