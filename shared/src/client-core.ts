// No zod at run time here (types only): the web app's first page builds its client from this
// module and routes.ts without loading zod; client.ts adds the validation of every answer.
import type { z } from 'zod'
import type { Endpoint, EndpointName, Endpoints } from './endpoints.ts'
import type { ErrorBody, ErrorIssue } from './schemas/error.ts'

type Schema<E, K extends 'params' | 'query' | 'body' | 'form'> =
  E extends Record<K, infer S extends z.ZodType> ? S : never

/** What a call takes: `params`, `query` and `body` as the endpoint declares them. */
export type EndpointInput<E extends Endpoint> = ([Schema<E, 'params'>] extends [never]
  ? unknown
  : { params: z.input<Schema<E, 'params'>> }) &
  ([Schema<E, 'query'>] extends [never] ? unknown : { query?: z.input<Schema<E, 'query'>> }) &
  ([Schema<E, 'body'>] extends [never]
    ? unknown
    : undefined extends z.input<Schema<E, 'body'>>
      ? { body?: z.input<Schema<E, 'body'>> }
      : {
          body:
            z.input<Schema<E, 'body'>> | ([Schema<E, 'form'>] extends [never] ? never : FormData)
        })

/** What a call resolves to: the parsed response, or `undefined` for 204 answers. */
export type EndpointOutput<E extends Endpoint> = E['response'] extends z.ZodType
  ? z.output<E['response']>
  : undefined

type CallArgs<E extends Endpoint> =
  object extends EndpointInput<E>
    ? [input?: EndpointInput<E>, init?: CallInit]
    : [input: EndpointInput<E>, init?: CallInit]

export interface CallInit {
  signal?: AbortSignal
  /**
   * Told the status of a successful answer, for the few endpoints where it means something:
   * `createJob` answers 201 for a new job and 200 for one the user already had.
   */
  onStatus?(status: number): void
}

export type Client = {
  [N in EndpointName]: (...args: CallArgs<Endpoints[N]>) => Promise<EndpointOutput<Endpoints[N]>>
} & {
  /** The CSRF token the client sends on state-changing cookie requests; set from auth answers. */
  csrfToken: string | null
}

export type ClientAuth =
  /** Browser session (same origin): the cookie travels by itself; the client adds `X-CSRF-Token`. */
  | { type: 'cookie'; csrfToken?: string | null }
  /** API token (extension, scripts): no cookie, no CSRF. */
  | { type: 'bearer'; token: string }

export interface ClientOptions {
  /** Origin of the tseeder server, e.g. `http://127.0.0.1:8787`; empty for same-origin. */
  baseUrl: string
  auth?: ClientAuth
  fetch?: (input: Request) => Promise<Response>
}

/** A non-2xx answer from the API, carrying the contract's error shape. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: ErrorIssue[],
    /** Seconds to wait, from `Retry-After` on 429 answers. */
    readonly retryAfter?: number,
    /** Which quota a `quota_exceeded` error is about. */
    readonly limit?: string,
  ) {
    super(message)
  }
}

/** Fills `:name` segments of an endpoint path. */
export function buildPath(path: string, params: Record<string, unknown> = {}): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined || value === null || value === '') {
      throw new TypeError(`Missing path parameter "${name}" for ${path}`)
    }
    return encodeURIComponent(String(value))
  })
}

function buildQuery(query: Record<string, unknown> | undefined): string {
  if (!query) return ''
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

/** What a client calls an endpoint with: where it is, and how to check its answer. */
export interface ClientRoute {
  method: Endpoint['method']
  path: string
  /** Checks a 2xx answer's body; absent: the body is taken as it is; `null`: no body (204). */
  response?: { parse(data: unknown): unknown } | null
}

/** The `error` of a non-2xx answer's body, or `null` when it is not the contract's error shape. */
export type ErrorReader = (body: unknown) => ErrorBody['error'] | null

async function toApiError(response: Response, readError: ErrorReader): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('retry-after')) || undefined
  const error = readError(await response.json().catch(() => null))
  if (!error) {
    return new ApiError(
      response.status,
      'http_error',
      `The server answered ${response.status} ${response.statusText}`.trim(),
      undefined,
      retryAfter,
    )
  }
  const { code, message, issues, limit } = error
  return new ApiError(response.status, code, message, issues, retryAfter, limit)
}

/**
 * The typed client's machinery for a table of routes (`endpoints` for `createClient`, `routes`
 * for `createSameOriginClient`): one method per entry, CSRF token kept from auth answers.
 */
export function createClientFrom(
  table: Record<EndpointName, ClientRoute>,
  readError: ErrorReader,
  options: ClientOptions,
): Client {
  const auth = options.auth ?? { type: 'cookie' }
  const doFetch = options.fetch ?? ((request: Request) => fetch(request))
  const client = {
    csrfToken: auth.type === 'cookie' ? (auth.csrfToken ?? null) : null,
  } as Client

  async function call(endpoint: ClientRoute, input: Record<string, unknown> = {}, init?: CallInit) {
    const url =
      options.baseUrl.replace(/\/$/, '') +
      buildPath(endpoint.path, input.params as Record<string, unknown> | undefined) +
      buildQuery(input.query as Record<string, unknown> | undefined)
    const headers = new Headers({ accept: 'application/json' })
    let body: BodyInit | undefined
    if (input.body instanceof FormData) {
      body = input.body
    } else if (input.body !== undefined) {
      headers.set('content-type', 'application/json')
      body = JSON.stringify(input.body)
    }
    if (auth.type === 'bearer') headers.set('authorization', `Bearer ${auth.token}`)
    else if (endpoint.method !== 'GET' && client.csrfToken) {
      headers.set('x-csrf-token', client.csrfToken)
    }

    const response = await doFetch(
      new Request(url, {
        method: endpoint.method,
        headers,
        body,
        signal: init?.signal,
      }),
    )
    if (!response.ok) throw await toApiError(response, readError)
    init?.onStatus?.(response.status)
    if (endpoint.response === null || response.status === 204) return undefined

    const json: unknown = await response.json()
    const data = endpoint.response ? endpoint.response.parse(json) : json
    if (auth.type === 'cookie' && data && typeof data === 'object' && 'csrfToken' in data) {
      client.csrfToken = typeof data.csrfToken === 'string' ? data.csrfToken : client.csrfToken
    }
    return data
  }

  for (const [name, endpoint] of Object.entries<ClientRoute>(table)) {
    Object.assign(client, {
      [name]: (input?: Record<string, unknown>, init?: CallInit) => call(endpoint, input, init),
    })
  }
  if (auth.type === 'cookie') {
    const logout = client.logout
    client.logout = async (...args) => {
      await logout(...args)
      client.csrfToken = null
    }
  }
  return client
}
