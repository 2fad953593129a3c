import { z } from 'zod'
import type { Endpoint } from './endpoint.ts'
import { endpoints } from './endpoints.ts'
import { ErrorBody } from './schemas/error.ts'
import { Scope } from './schemas/token.ts'
import { SCOPE_WORDS } from './scope-words.ts'

type JsonSchema = Record<string, unknown>

/** An OpenAPI 3.1 operation as this generator writes it. */
export interface OpenApiOperation {
  operationId: string
  tags: string[]
  summary?: string
  security: Record<string, string[]>[]
  parameters?: {
    name: string
    in: 'path' | 'query'
    required: boolean
    schema: JsonSchema
  }[]
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> }
  responses: Record<string, unknown>
}

export interface OpenApiDocument {
  openapi: '3.1.0'
  info: { title: string; version: string; description: string }
  servers?: { url: string }[]
  tags: { name: string }[]
  paths: Record<string, Record<string, OpenApiOperation>>
  components: Record<string, Record<string, unknown>>
}

const ERROR_RESPONSE = { $ref: '#/components/responses/Error' }

/** Hono's `/api/jobs/:id` as OpenAPI's `/api/jobs/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const result = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    // A multipart upload's file part (`z.instanceof(Blob)`) is binary content.
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === 'custom') {
        jsonSchema.type = 'string'
        jsonSchema.contentMediaType = 'application/octet-stream'
      }
    },
  }) as JsonSchema
  delete result.$schema
  return result
}

function parameters(e: Endpoint): OpenApiOperation['parameters'] {
  const list: NonNullable<OpenApiOperation['parameters']> = []
  const pathSchema = e.params ? jsonSchema(e.params, 'input') : { properties: {} }
  const pathProps = (pathSchema.properties ?? {}) as Record<string, JsonSchema>
  for (const [, name] of e.path.matchAll(/:([A-Za-z0-9_]+)/g)) {
    list.push({
      name: name!,
      in: 'path',
      required: true,
      schema: pathProps[name!] ?? { type: 'string' },
    })
  }
  if (e.query) {
    const query = jsonSchema(e.query, 'input')
    const required = new Set((query.required ?? []) as string[])
    for (const [name, schema] of Object.entries(
      (query.properties ?? {}) as Record<string, JsonSchema>,
    )) {
      list.push({ name, in: 'query', required: required.has(name), schema })
    }
  }
  return list.length ? list : undefined
}

function security(e: Endpoint): OpenApiOperation['security'] {
  if (e.access === 'public') return []
  const safe = e.method === 'GET'
  const browser: Record<string, string[]> = safe
    ? { sessionCookie: [] }
    : { sessionCookie: [], csrfToken: [] }
  if (e.access !== 'user') return [browser]
  return [browser, { apiToken: e.scope ? [e.scope] : [] }]
}

function operation(name: string, e: Endpoint): OpenApiOperation {
  const op: OpenApiOperation = {
    operationId: name,
    tags: [tagOf(e.path)],
    security: security(e),
    responses: {},
  }
  const params = parameters(e)
  if (params) op.parameters = params
  if (e.body || e.form) {
    const content: Record<string, { schema: JsonSchema }> = {}
    if (e.body) content['application/json'] = { schema: jsonSchema(e.body, 'input') }
    if (e.form) content['multipart/form-data'] = { schema: jsonSchema(e.form, 'input') }
    op.requestBody = { required: !e.body?.safeParse(undefined).success, content }
  }
  op.responses[String(e.status)] = e.response
    ? {
        description: e.status === 201 ? 'Created' : 'OK',
        content: { 'application/json': { schema: jsonSchema(e.response, 'output') } },
      }
    : { description: 'No content' }
  // `createJob` answers 200 with the job the user already has (API.md).
  if (name === 'createJob') op.responses['200'] = op.responses['201']
  op.responses['4XX'] = ERROR_RESPONSE
  op.responses['5XX'] = ERROR_RESPONSE
  return op
}

function tagOf(path: string): string {
  return path.split('/')[2] ?? 'api'
}

/** Routes outside the JSON table (streams and capability links), described by hand. */
function streamPaths(): OpenApiDocument['paths'] {
  const user = (scope: string): Record<string, string[]>[] => [
    { sessionCookie: [] },
    { apiToken: [scope] },
  ]
  const sse = { 'text/event-stream': { schema: { type: 'string' } } }
  return {
    '/api/events': {
      get: {
        operationId: 'userEvents',
        tags: ['events'],
        summary: 'Server-sent events for all of the caller’s jobs.',
        security: user('jobs:read'),
        responses: {
          '200': { description: 'An event stream', content: sse },
          '4XX': ERROR_RESPONSE,
        },
      },
    },
    '/api/jobs/{id}/events': {
      get: {
        operationId: 'jobEvents',
        tags: ['jobs'],
        summary: 'Server-sent events for one job, resumable with `Last-Event-ID`.',
        security: user('jobs:read'),
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'An event stream', content: sse },
          '4XX': ERROR_RESPONSE,
        },
      },
    },
    '/dl/{token}': {
      get: {
        operationId: 'download',
        tags: ['files'],
        summary: 'A file’s bytes through a signed link; honours `Range` (206).',
        security: [],
        parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'The file',
            content: {
              'application/octet-stream': {
                schema: { type: 'string', contentMediaType: 'application/octet-stream' },
              },
            },
          },
          '206': { description: 'The requested range' },
          '4XX': ERROR_RESPONSE,
        },
      },
    },
  }
}

/**
 * Builds the OpenAPI 3.1 document of the API from the endpoint table: every entry's method, path
 * parameters, query, body (JSON and multipart), success answer, who may call it (cookie session
 * with CSRF header, or a bearer API token with its scope) and the one error shape. Pure: the same
 * table always gives the same document.
 *
 * @example
 * const doc = buildOpenApiDocument({ version: '0.1.0' })
 * doc.paths['/api/jobs/{id}'].get.operationId // 'getJob'
 */
export function buildOpenApiDocument(
  options: {
    version?: string
    serverUrl?: string
    /** The session cookie's name (the API's `SESSION_COOKIE`). */
    sessionCookie?: string
    table?: Record<string, Endpoint>
  } = {},
): OpenApiDocument {
  const table: Record<string, Endpoint> = options.table ?? endpoints
  const paths: OpenApiDocument['paths'] = {}
  for (const [name, e] of Object.entries(table)) {
    const path = openApiPath(e.path)
    ;(paths[path] ??= {})[e.method.toLowerCase()] = operation(name, e)
  }
  if (!options.table) Object.assign(paths, streamPaths())
  const tags = [
    ...new Set(
      Object.values(paths).flatMap((item) => Object.values(item).flatMap((op) => op.tags)),
    ),
  ]
  const scopeList = Scope.options.map((s) => `- \`${s}\`: ${SCOPE_WORDS[s]}`).join('\n')
  return {
    openapi: '3.1.0',
    info: {
      title: 'tseeder API',
      version: options.version ?? '0.1.0',
      description:
        'Remote torrent downloads: add a magnet or .torrent, follow its progress, fetch the files. ' +
        'Errors always have the shape `{ error: { code, message } }`.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
      responses: {
        Error: {
          description: 'An error, with a machine-readable `code` and a sentence for people.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      securitySchemes: {
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: options.sessionCookie ?? 'session',
          description: 'The browser session set by `POST /api/auth/login` or `/register`.',
        },
        csrfToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description:
            'With the session cookie, every state-changing request carries the session’s CSRF token (from login, register or `GET /api/auth/me`).',
        },
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token (`POST /api/tokens`, shown once), sent as `Authorization: Bearer <token>`. ' +
            `Each operation lists the scope it needs:\n${scopeList}`,
          'x-scopes': Object.fromEntries(Scope.options.map((s) => [s, SCOPE_WORDS[s]])),
        },
      },
    },
  }
}
