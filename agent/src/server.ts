import { readFileSync } from 'node:fs'
import type { Server as HttpServer } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { createAdaptorServer } from '@hono/node-server'
import { type Context, Hono } from 'hono'
import {
  type AgentProtocol,
  type AgentServedEntry,
  type AgentStatus,
  agentProtocol,
} from '@tseeder/shared'
import type { z } from 'zod'
import type { JobManager } from './jobs.ts'
import type { Logger } from './log.ts'
import type { Metrics } from './metrics.ts'
import {
  type AgentEnv,
  answerErrors,
  errorBody,
  limitBody,
  protocolError,
  requireSignature,
} from './middleware.ts'

/** Largest request body: a .torrent of up to 5 MiB is ~7 MB once base64-encoded. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024

export interface ServerOptions {
  secret: string
  tls: { cert: string; key: string; ca: string } | null
  jobs: JobManager
  metrics: Metrics
  log: Logger
  status: () => Promise<AgentStatus>
}

type Input<E extends AgentServedEntry> = E extends { body: infer S extends z.ZodType }
  ? z.output<S>
  : E extends { params: infer S extends z.ZodType }
    ? z.output<S>
    : undefined

type Output<E extends AgentServedEntry> = E['response'] extends z.ZodType
  ? z.input<E['response']>
  : never

type Handler<E extends AgentServedEntry> = (
  input: Input<E>,
  c: Context<AgentEnv>,
) => Promise<Output<E> | Response>

type Served = {
  [N in keyof AgentProtocol]: AgentProtocol[N] extends AgentServedEntry ? N : never
}[keyof AgentProtocol]

type Handlers = { [N in Served]: Handler<AgentProtocol[N]> }

function validate(schema: z.ZodType, value: unknown, what: string): unknown {
  const result = schema.safeParse(value)
  if (!result.success) {
    throw protocolError(
      400,
      'validation_failed',
      `The request ${what} does not match the agent protocol.`,
      result.error.issues.map((i) => ({
        path: i.path.filter((p): p is string | number => typeof p !== 'symbol'),
        message: i.message,
      })),
    )
  }
  return result.data
}

function parseInput(entry: AgentServedEntry, c: Context<AgentEnv>): unknown {
  if (entry.params) return validate(entry.params, c.req.param(), 'path')
  if (!entry.body) return undefined
  let json: unknown
  try {
    json = JSON.parse(c.get('rawBody'))
  } catch {
    throw protocolError(400, 'invalid_json', 'The request body is not valid JSON.')
  }
  return validate(entry.body, json, 'body')
}

/**
 * The agent's routes, served from the shared protocol table: `/health` and `/metrics` are open,
 * every other route (and any unknown path) needs a valid signature over the raw body first.
 */
export function createAgentApp(options: ServerOptions): Hono<AgentEnv> {
  const { jobs } = options
  const handlers: Handlers = {
    start: (body) => jobs.start(body),
    stop: (body) => jobs.stop(body.jobId, body.removeData),
    pause: (body) => jobs.pause(body.jobId),
    resume: (body) => jobs.resume(body.jobId),
    status: () => options.status(),
    files: async ({ jobId }) => {
      const files = jobs.files(jobId)
      if (!files) throw protocolError(404, 'not_found', `This agent has no job ${jobId}.`)
      return { jobId, files }
    },
    health: async () => ({ ok: true }),
    metrics: async (_, c) =>
      c.body(await options.metrics.registry.metrics(), 200, {
        'content-type': options.metrics.registry.contentType,
      }),
  }

  const app = new Hono<AgentEnv>()
  app.onError(answerErrors(options.log))
  app.notFound((c) =>
    c.json(errorBody('not_found', `No route ${c.req.method} ${c.req.path}.`), 404),
  )
  // The handlers' type names every entry the agent serves, so none can be left unregistered.
  const served = (Object.keys(handlers) as Served[]).map(
    (name) =>
      [
        agentProtocol[name] as AgentServedEntry,
        handlers[name] as Handler<AgentServedEntry>,
      ] as const,
  )
  const register = ([entry, handler]: (typeof served)[number]) => {
    app.on(entry.method, entry.path, async (c) => {
      const result = await handler(parseInput(entry, c) as never, c)
      return result instanceof Response ? result : c.json(result as object)
    })
  }
  // Open routes first: they answer before the signature middleware is reached.
  served.filter(([entry]) => !entry.signed).forEach(register)
  app.use(limitBody(MAX_BODY_BYTES), requireSignature(options.secret))
  served.filter(([entry]) => entry.signed).forEach(register)
  return app
}

/**
 * The agent's HTTP(S) server on `@hono/node-server`. With TLS configured, clients must also
 * present a certificate from the CA (mTLS).
 */
export function createAgentServer(options: ServerOptions): HttpServer | HttpsServer {
  const { fetch } = createAgentApp(options)
  // Hono's lighter Request/Response must not replace the globals the agent's own fetches use.
  const base = { fetch, overrideGlobalObjects: false }
  if (!options.tls) return createAdaptorServer(base) as HttpServer
  return createAdaptorServer({
    ...base,
    createServer: createHttpsServer,
    serverOptions: {
      cert: readFileSync(options.tls.cert),
      key: readFileSync(options.tls.key),
      ca: readFileSync(options.tls.ca),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
  }) as HttpsServer
}
