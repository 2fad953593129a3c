import type { z } from 'zod'
import { buildPath } from './client.ts'
import {
  Acknowledged,
  AgentCallback,
  AgentFilesParams,
  AgentHeartbeat,
  AgentJobAction,
  AgentJobFiles,
  AgentJobView,
  AgentStartBody,
  AgentStatus,
  AgentStopBody,
  CredentialsRefreshBody,
  StorageGrant,
} from './schemas/agent.ts'
import { type SignatureDirection, signedHeaders } from './signing.ts'

/** Every route the Worker serves to agents lives under this prefix. */
export const INTERNAL_PREFIX = '/internal'

interface ProtocolEntry {
  method: 'GET' | 'POST'
  /** Hono-style path with `:name` parameters. */
  path: `/${string}`
  /** Whether the request carries the HMAC signature of {@link signedHeaders}. */
  signed: boolean
  params?: z.ZodType
  body?: z.ZodType
  /** The answer's schema, or `'text'` for a plain-text answer (Prometheus metrics). */
  response: z.ZodType | 'text'
}

/** A route the compute agent serves (the API calls it). */
export interface AgentServedEntry extends ProtocolEntry {
  server: 'agent'
}

/** A route the Worker serves under {@link INTERNAL_PREFIX} (agents call it, always signed). */
export interface ApiServedEntry extends ProtocolEntry {
  server: 'api'
  path: `${typeof INTERNAL_PREFIX}/${string}`
  signed: true
  body: z.ZodType
  response: z.ZodType
}

export type AgentProtocolEntry = AgentServedEntry | ApiServedEntry

/** Who signs a request for `entry`: the side that does not serve it. */
export function signatureDirection(entry: AgentProtocolEntry): SignatureDirection {
  return entry.server === 'agent' ? 'api-to-agent' : 'agent-to-api'
}

function entry<const E extends AgentProtocolEntry>(e: E): E {
  return e
}

function jobControl<const P extends `/${string}`, B extends z.ZodType>(path: P, body: B) {
  return entry({
    server: 'agent',
    method: 'POST',
    path,
    signed: true,
    body,
    response: AgentJobView,
  })
}

/**
 * The agent protocol, both directions: the API drives agents with the `server: 'agent'` entries
 * and agents report to the Worker with the `server: 'api'` ones. The agent's Hono server, the
 * Worker's `/internal/*` routes and both sides' clients are built from these entries, so a path
 * or a shape is written here and nowhere else.
 */
export const agentProtocol = {
  start: jobControl('/start', AgentStartBody),
  stop: jobControl('/stop', AgentStopBody),
  pause: jobControl('/pause', AgentJobAction),
  resume: jobControl('/resume', AgentJobAction),
  status: entry({
    server: 'agent',
    method: 'GET',
    path: '/status',
    signed: true,
    response: AgentStatus,
  }),
  files: entry({
    server: 'agent',
    method: 'GET',
    path: '/files/:jobId',
    signed: true,
    params: AgentFilesParams,
    response: AgentJobFiles,
  }),
  health: entry({
    server: 'agent',
    method: 'GET',
    path: '/health',
    signed: false,
    response: Acknowledged,
  }),
  metrics: entry({
    server: 'agent',
    method: 'GET',
    path: '/metrics',
    signed: false,
    response: 'text',
  }),

  heartbeat: entry({
    server: 'api',
    method: 'POST',
    path: '/internal/agents/heartbeat',
    signed: true,
    body: AgentHeartbeat,
    response: Acknowledged,
  }),
  callback: entry({
    server: 'api',
    method: 'POST',
    path: '/internal/jobs/callback',
    signed: true,
    body: AgentCallback,
    response: Acknowledged,
  }),
  credentials: entry({
    server: 'api',
    method: 'POST',
    path: '/internal/jobs/credentials',
    signed: true,
    body: CredentialsRefreshBody,
    response: StorageGrant,
  }),
} as const satisfies Record<string, AgentProtocolEntry>

export type AgentProtocol = typeof agentProtocol

/** What a call of an entry sends: its body, its path parameters, or nothing. */
export type AgentRequestInput<E extends AgentProtocolEntry> = E extends {
  body: infer S extends z.ZodType
}
  ? z.input<S>
  : E extends { params: infer S extends z.ZodType }
    ? z.input<S>
    : undefined

/** The arguments after the entry in a typed call: `[input]`, or none when it takes nothing. */
export type AgentRequestArgs<E extends AgentProtocolEntry> =
  AgentRequestInput<E> extends undefined ? [] : [input: AgentRequestInput<E>]

/** What a call of an entry resolves to once the answer is validated. */
export type AgentResponse<E extends AgentProtocolEntry> = E['response'] extends z.ZodType
  ? z.output<E['response']>
  : string

/** `path` under `base`, keeping any path prefix the base has (a reverse proxy in front). */
function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`
}

export interface SignedRequestOptions {
  /** Base URL of the side that serves the entry. */
  baseUrl: string
  /** Sent in `x-tseeder-agent`: the agent's id, or `api` for calls from the Worker. */
  signer: string
  /** The agent's secret; the key of the entry's direction is derived from it. */
  secret: string
  signal?: AbortSignal
}

/**
 * The request for one entry of {@link agentProtocol}: its method and path (parameters filled),
 * the JSON body and, for signed entries, the signature headers: direction, method, the protocol
 * path (without any prefix of `baseUrl`, which a reverse proxy strips), a fresh nonce and the body.
 *
 * @example
 * const request = await signedRequest(agentProtocol.stop, { jobId, removeData: true }, options)
 */
export async function signedRequest<E extends AgentProtocolEntry>(
  entry: E,
  input: AgentRequestInput<E>,
  options: SignedRequestOptions,
): Promise<Request> {
  const body = entry.body ? JSON.stringify(input) : ''
  const path = entry.params ? buildPath(entry.path, input as Record<string, unknown>) : entry.path
  const headers: Record<string, string> = entry.signed
    ? await signedHeaders(options.signer, options.secret, {
        direction: signatureDirection(entry),
        method: entry.method,
        path,
        body,
      })
    : {}
  if (entry.body) headers['content-type'] = 'application/json'
  return new Request(joinUrl(options.baseUrl, path), {
    method: entry.method,
    headers,
    body: entry.body ? body : undefined,
    signal: options.signal,
  })
}

/**
 * The validated answer of a 2xx response to an entry: parsed with the entry's schema (throws a
 * `ZodError` or a `SyntaxError` for an answer that does not match), or the text for `'text'`.
 */
export async function readAnswer<E extends AgentProtocolEntry>(
  entry: E,
  response: Response,
): Promise<AgentResponse<E>> {
  if (entry.response === 'text') return (await response.text()) as AgentResponse<E>
  return entry.response.parse(await response.json()) as AgentResponse<E>
}
