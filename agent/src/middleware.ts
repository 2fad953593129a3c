import type { ErrorHandler, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import {
  type ErrorBody,
  type ErrorIssue,
  NonceCache,
  readSignatureHeaders,
  verifySignature,
} from '@tseeder/shared'
import { JobError } from './jobs.ts'
import type { Logger } from './log.ts'

export type AgentEnv = {
  Variables: {
    /** The raw body the signature covers (empty for GET). */
    rawBody: string
  }
}

interface ProtocolErrorDetail {
  code: string
  issues?: ErrorIssue[]
}

/** A refusal the single error handler answers with the shared error shape. */
export function protocolError(
  status: ContentfulStatusCode,
  code: string,
  message: string,
  issues?: ErrorIssue[],
): HTTPException {
  return new HTTPException(status, { message, cause: { code, issues } })
}

/** The shared error shape. */
export function errorBody(code: string, message: string, issues?: ErrorIssue[]): ErrorBody {
  return { error: { code, message, ...(issues ? { issues } : {}) } }
}

/**
 * Refuses bodies over `maxBytes` with 413 before they are read whole (a declared length is
 * checked first; a streamed body is counted as it arrives).
 */
export function limitBody(maxBytes: number): MiddlewareHandler<AgentEnv> {
  if (!(maxBytes > 0)) throw new RangeError('limitBody needs a positive size')
  const label = `${maxBytes / 1024 / 1024} MiB`
  return bodyLimit({
    maxSize: maxBytes,
    onError() {
      throw protocolError(413, 'payload_too_large', `The request body is larger than ${label}.`)
    },
  })
}

/**
 * Accepts only requests the API signed for this agent (HMAC-SHA256 with the api→agent key over
 * direction, method, path, timestamp, nonce and raw body, within the signing window) whose nonce
 * it has not accepted before, and leaves the raw body in `c.var.rawBody` for validation. A request
 * captured on its way to one route is refused on any other, and refused again on its own.
 */
export function requireSignature(secret: string): MiddlewareHandler<AgentEnv> {
  if (!secret) throw new Error('requireSignature needs the agent secret')
  // In memory: one process serves this agent and a nonce matters only until its timestamp goes
  // stale (5 minutes). A restart forgets them, which reopens at most that window.
  const nonces = new NonceCache()
  return async function requireSignature(c, next) {
    const raw = c.req.method === 'POST' ? await c.req.text() : ''
    const check = await verifySignature(
      secret,
      {
        direction: 'api-to-agent',
        method: c.req.method,
        path: new URL(c.req.url).pathname,
        body: raw,
      },
      readSignatureHeaders((name) => c.req.header(name)),
    )
    if (!check.ok) throw protocolError(401, 'not_signed_in', check.message)
    if (!nonces.claim(check.nonce, check.timestamp)) {
      throw protocolError(409, 'replayed', 'This signed request was already received.')
    }
    c.set('rawBody', raw)
    await next()
  }
}

/**
 * The one error handler: a refusal keeps its status and code, a `JobError` from the job manager
 * its own, and anything else is logged and answered 500 without internals.
 */
export function answerErrors(log: Logger): ErrorHandler<AgentEnv> {
  return function answerErrors(error, c) {
    if (error instanceof JobError) {
      return c.json(errorBody(error.code, error.message), error.status as ContentfulStatusCode)
    }
    if (error instanceof HTTPException && error.status < 500) {
      const detail = error.cause as ProtocolErrorDetail | undefined
      return c.json(
        errorBody(detail?.code ?? 'bad_request', error.message, detail?.issues),
        error.status as ContentfulStatusCode,
      )
    }
    log.error({ err: error.message, path: c.req.path }, 'request failed')
    return c.json(errorBody('internal_error', 'The agent failed to handle the request.'), 500)
  }
}
