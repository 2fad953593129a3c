import type { Hono, MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import { endpoints, type Endpoint, type EndpointOutput } from '@tseeder/shared'
import type { z } from 'zod'
import type { AppContext, AppEnv, AuthContext } from '../env.ts'
import { limitBody } from '../middleware/body-limit.ts'
import { safeEqual } from './crypto.ts'
import { HttpError, validationError } from './errors.ts'

type Parsed<E, K extends 'params' | 'query' | 'body'> =
  E extends Record<K, infer S extends z.ZodType> ? z.output<S> : undefined

type ParsedForm<E> = E extends Record<'form', infer S extends z.ZodType> ? z.output<S> : never

export interface RouteInput<E extends Endpoint> {
  params: Parsed<E, 'params'>
  query: Parsed<E, 'query'>
  /** The JSON body, or the multipart form for endpoints that declare `form`. */
  body: Parsed<E, 'body'> | ParsedForm<E>
}

export type RouteHandler<E extends Endpoint> = (
  c: AppContext,
  input: RouteInput<E>,
) => Promise<EndpointOutput<E> | Response>

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** What a user signed in with an operator's one-time password may do: read who they are, choose. */
const BEFORE_PASSWORD_CHANGE = new Set<Endpoint>([
  endpoints.me,
  endpoints.logout,
  endpoints.changePassword,
])

/** The signed-in caller of a route whose access is not `public`. */
export function requireAuth(c: AppContext): AuthContext {
  const auth = c.get('auth')
  if (!auth) throw new Error('requireAuth called on a route that does not authenticate')
  return auth
}

/**
 * Role, scope, suspension, CSRF and AUP checks for one endpoint, decided from its table entry
 * once when the route is registered.
 */
export function authorize(endpoint: Endpoint): MiddlewareHandler<AppEnv> {
  return createMiddleware<AppEnv>(async function authorize(c, next) {
    if (endpoint.access === 'public') return next()
    const auth = c.get('auth')
    if (!auth) {
      throw c.get('authProblem') === 'session_expired'
        ? new HttpError(401, 'session_expired', 'Your session has ended. Sign in again.')
        : new HttpError(
            401,
            'not_signed_in',
            'Sign in, or send an API token, to use this endpoint.',
          )
    }
    if (auth.user.suspended) {
      throw new HttpError(403, 'account_suspended', 'This account is suspended. Contact support.')
    }
    if (auth.user.must_change_password === 1 && !BEFORE_PASSWORD_CHANGE.has(endpoint)) {
      throw new HttpError(
        403,
        'password_change_required',
        'Choose a new password first: the one you signed in with was for one sign-in only.',
      )
    }
    if (auth.via === 'token') {
      if (endpoint.access === 'session' || endpoint.access === 'admin') {
        throw new HttpError(
          403,
          'session_required',
          'API tokens cannot use this endpoint; sign in instead.',
        )
      }
      if (endpoint.scope && !auth.scopes?.includes(endpoint.scope)) {
        throw new HttpError(
          403,
          'insufficient_scope',
          `This API token lacks the "${endpoint.scope}" scope.`,
        )
      }
    } else if (!SAFE_METHODS.has(c.req.method)) {
      const sent = c.req.header('x-csrf-token') ?? ''
      if (!auth.csrfToken || !safeEqual(sent, auth.csrfToken)) {
        throw new HttpError(403, 'csrf_failed', 'Missing or wrong X-CSRF-Token header.')
      }
    }
    if (endpoint.access === 'admin' && auth.user.role !== 'admin') {
      throw new HttpError(403, 'forbidden', 'Only administrators can do this.')
    }
    if (endpoint.aup && auth.user.aup_accepted_at === null) {
      throw new HttpError(
        403,
        'aup_required',
        'Accept the acceptable use policy first (POST /api/auth/aup).',
      )
    }
    return next()
  })
}

async function readBody(c: AppContext, endpoint: Endpoint): Promise<unknown> {
  const type = c.req.header('content-type') ?? ''
  if (endpoint.form && /^multipart\/form-data\b/i.test(type)) {
    try {
      return parseWith(endpoint.form, await c.req.parseBody(), 'form')
    } catch (error) {
      if (error instanceof HttpError) throw error
      throw new HttpError(400, 'bad_request', 'The multipart form could not be read.')
    }
  }
  // An endpoint whose body is optional takes a request without one (no type, no length).
  if (
    !type &&
    !Number(c.req.header('content-length')) &&
    endpoint.body!.safeParse(undefined).success
  )
    return undefined
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      endpoint.form
        ? 'Send JSON (Content-Type: application/json) or a multipart/form-data upload.'
        : 'Send the body as JSON (Content-Type: application/json).',
    )
  }
  const text = await c.req.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON.')
  }
  return parseWith(endpoint.body!, json, 'body')
}

function parseWith(schema: z.ZodType, value: unknown, where: string): unknown {
  const result = schema.safeParse(value)
  if (!result.success) throw validationError(result.error, where)
  return result.data
}

/** Endpoints whose routes send their answer as built (`route`'s `sendAsBuilt`); tests read it. */
export const sentAsBuilt = new Set<Endpoint>()

/**
 * Registers a handler for an entry of the shared endpoint table: the table decides the method,
 * path, who may call it, and the schemas its params, query and body must match. The handler
 * returns the response data, which is parsed with the table's response schema (so no internal
 * field can leak) and sent with the table's status.
 *
 * `sendAsBuilt`: the handler builds its answer only from projections that list each member of the
 * schema, in its order (`toJob`), so the parse would give it back unchanged; it is sent without
 * that second pass: for a frequent answer of many rows, in workerd, where zod cannot compile its
 * parsers, parsing 20 jobs took about a tenth of the Worker's own CPU per answer. The API tests
 * check that every such answer is exactly what the parse makes of it (`test/sent-as-built.ts`).
 *
 * @example
 * route(app, endpoints.me, async (c) => ({ user, csrfToken, plan, usage }))
 */
export function route<E extends Endpoint>(
  app: Hono<AppEnv>,
  endpoint: E,
  handler: RouteHandler<E>,
  options: { before?: MiddlewareHandler<AppEnv>[]; sendAsBuilt?: boolean } = {},
): void {
  if (options.sendAsBuilt) sentAsBuilt.add(endpoint)
  const method = endpoint.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'
  // The body is counted as it is read, after authorization and rate limits (a refused caller's
  // body is never read), and refused past the limit whether or not it declared its length.
  const before = [
    ...(options.before ?? []),
    ...(endpoint.body || endpoint.form ? [limitBody()] : []),
  ]
  app[method](endpoint.path, authorize(endpoint), ...before, async (c) => {
    const input = {
      params: endpoint.params ? parseWith(endpoint.params, c.req.param(), 'path') : undefined,
      query: endpoint.query ? parseWith(endpoint.query, c.req.query(), 'query') : undefined,
      body: endpoint.body ? await readBody(c, endpoint) : undefined,
    } as RouteInput<E>
    const result = await handler(c, input)
    if (result instanceof Response) return result
    if (!endpoint.response) return c.body(null, 204)
    const answer = options.sendAsBuilt ? result : endpoint.response.parse(result)
    return c.json(answer as object, endpoint.status as 200)
  })
}
