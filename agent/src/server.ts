import { readFileSync } from 'node:fs'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import {
  AgentJobAction,
  AgentStartBody,
  AgentStopBody,
  SIGNATURE_HEADERS,
  verifySignature,
  type AgentStatus,
} from '@tseeder/shared'
import type { z } from 'zod'
import { JobError, type JobManager } from './jobs.ts'
import type { Logger } from './log.ts'
import type { Metrics } from './metrics.ts'

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

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: (string | number)[]; message: string }[],
  ) {
    super(message)
  }
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'payload_too_large', 'The request body is larger than 8 MiB.'))
        req.resume()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function parseBody<T extends z.ZodType>(schema: T, raw: string): z.infer<T> {
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON.')
  }
  const result = schema.safeParse(json)
  if (!result.success) {
    throw new HttpError(
      400,
      'validation_failed',
      'The request body does not match the agent protocol.',
      result.error.issues.map((i) => ({
        path: i.path.filter((p): p is string | number => typeof p !== 'symbol'),
        message: i.message,
      })),
    )
  }
  return result.data
}

/**
 * The agent's HTTP(S) server. Every route but `/health` and `/metrics` needs a valid signature
 * over the raw body; with TLS configured, clients must also present a certificate from the CA.
 */
export function createAgentServer(options: ServerOptions): HttpServer | HttpsServer {
  const { jobs, log } = options

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent')
    const method = req.method ?? 'GET'
    if (method === 'GET' && url.pathname === '/health') return send(res, 200, { ok: true })
    if (method === 'GET' && url.pathname === '/metrics') {
      return send(
        res,
        200,
        await options.metrics.registry.metrics(),
        options.metrics.registry.contentType,
      )
    }
    const raw = method === 'POST' ? await readBody(req) : ''
    const header = (name: string) => {
      const value = req.headers[name]
      return typeof value === 'string' ? value : null
    }
    const check = await verifySignature(
      options.secret,
      {
        timestamp: header(SIGNATURE_HEADERS.timestamp),
        signature: header(SIGNATURE_HEADERS.signature),
      },
      raw,
    )
    if (!check.ok) throw new HttpError(401, 'not_signed_in', check.message)

    if (method === 'POST' && url.pathname === '/start') {
      const view = await jobs.start(parseBody(AgentStartBody, raw))
      return send(res, 200, view)
    }
    if (method === 'POST' && url.pathname === '/stop') {
      const body = parseBody(AgentStopBody, raw)
      return send(res, 200, await jobs.stop(body.jobId, body.removeData))
    }
    if (method === 'POST' && url.pathname === '/pause') {
      return send(res, 200, await jobs.pause(parseBody(AgentJobAction, raw).jobId))
    }
    if (method === 'POST' && url.pathname === '/resume') {
      return send(res, 200, await jobs.resume(parseBody(AgentJobAction, raw).jobId))
    }
    if (method === 'GET' && url.pathname === '/status')
      return send(res, 200, await options.status())
    const filesMatch = /^\/files\/([^/]+)$/.exec(url.pathname)
    if (method === 'GET' && filesMatch) {
      const jobId = decodeURIComponent(filesMatch[1]!)
      const files = jobs.files(jobId)
      if (!files) throw new HttpError(404, 'not_found', `This agent has no job ${jobId}.`)
      return send(res, 200, { jobId, files })
    }
    throw new HttpError(404, 'not_found', `No route ${method} ${url.pathname}.`)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await route(req, res)
    } catch (error) {
      if (error instanceof HttpError || error instanceof JobError) {
        const issues = error instanceof HttpError ? error.issues : undefined
        send(res, error.status, {
          error: { code: error.code, message: error.message, ...(issues ? { issues } : {}) },
        })
        return
      }
      log.error({ err: (error as Error).message, path: req.url }, 'request failed')
      send(res, 500, {
        error: { code: 'internal_error', message: 'The agent failed to handle the request.' },
      })
    }
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(req, res)
  if (options.tls) {
    return createHttpsServer(
      {
        cert: readFileSync(options.tls.cert),
        key: readFileSync(options.tls.key),
        ca: readFileSync(options.tls.ca),
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      },
      listener,
    )
  }
  return createHttpServer(listener)
}
