import type { ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ErrorBody, ErrorCode, ErrorIssue } from '@tseeder/shared'
import type { z } from 'zod'
import type { AppEnv } from '../env.ts'
import { log, loggablePath } from './log.ts'

/** An error a person can act on, answered with the contract's error shape. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly extra: { issues?: ErrorIssue[]; limit?: string; retryAfter?: number } = {},
  ) {
    super(message)
  }
}

export function errorBody(
  code: ErrorCode,
  message: string,
  extra: HttpError['extra'] = {},
): ErrorBody {
  const { issues, limit } = extra
  return { error: { code, message, ...(issues ? { issues } : {}), ...(limit ? { limit } : {}) } }
}

/** Turns Zod issues into the contract's `issues` and a one-line message naming the fields. */
export function validationError(error: z.ZodError, where: string): HttpError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
    message: issue.message,
  }))
  const summary = issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')} ${i.message}` : i.message))
    .join('; ')
  return new HttpError(400, 'validation_failed', `Invalid ${where}: ${summary}.`, { issues })
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'not_signed_in',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
}

/** The single error handler: known errors keep their code, anything else is a logged 500. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof HttpError) {
    if (err.extra.retryAfter !== undefined) c.header('Retry-After', String(err.extra.retryAfter))
    return c.json(errorBody(err.code, err.message, err.extra), err.status)
  }
  if (err instanceof HTTPException && err.status < 500) {
    const code = STATUS_CODES[err.status] ?? 'bad_request'
    return c.json(errorBody(code, err.message || 'The request was refused.'), err.status)
  }
  log.error('unhandled_error', {
    requestId: c.get('requestId'),
    method: c.req.method,
    path: loggablePath(c.req.path),
    error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    stack: err instanceof Error ? err.stack : undefined,
  })
  return c.json(
    errorBody(
      'internal_error',
      `Something went wrong on our side (request ${c.get('requestId')}).`,
    ),
    500,
  )
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`), 404)
