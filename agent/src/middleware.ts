import type { ErrorHandler, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import {
  type ErrorBody,
  type ErrorIssue,
  SIGNATURE_HEADERS,
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
 * Accepts only requests signed with the agent's secret (HMAC-SHA256 over timestamp + raw body,
 * within the signing window), and leaves the raw body in `c.var.rawBody` for validation.
 */
export function requireSignature(secret: string): MiddlewareHandler<AgentEnv> {
  if (!secret) throw new Error('requireSignature needs the agent secret')
  return async function requireSignature(c, next) {
    const raw = c.req.method === 'POST' ? await c.req.text() : ''
    const check = await verifySignature(
      secret,
      {
        timestamp: c.req.header(SIGNATURE_HEADERS.timestamp) ?? null,
        signature: c.req.header(SIGNATURE_HEADERS.signature) ?? null,
      },
      raw,
    )
    if (!check.ok) throw protocolError(401, 'not_signed_in', check.message)
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
