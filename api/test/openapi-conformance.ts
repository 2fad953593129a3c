import { type Schema, Validator } from '@cfworker/json-schema'
import { buildOpenApiDocument, type OpenApiDocument } from '@tseeder/shared/openapi'
import { SESSION_COOKIE } from '../src/middleware/authenticate.ts'

export interface Checked {
  operation: string
  status: number
  errors: string[]
}

function findOperation(doc: OpenApiDocument, method: string, pathname: string) {
  const segments = pathname.split('/')
  let best: { template: string; literals: number } | undefined
  for (const template of Object.keys(doc.paths)) {
    const parts = template.split('/')
    if (parts.length !== segments.length || !doc.paths[template]![method]) continue
    if (!parts.every((p, i) => p.startsWith('{') || p === segments[i])) continue
    const literals = parts.filter((p) => !p.startsWith('{')).length
    if (!best || literals > best.literals) best = { template, literals }
  }
  return best && doc.paths[best.template]![method]
}

function resolve(doc: OpenApiDocument, value: unknown): Record<string, unknown> {
  let node = value as Record<string, unknown>
  while (node && typeof node.$ref === 'string') {
    node = node.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], doc) as Record<
      string,
      unknown
    >
  }
  return node
}

const validators = new WeakMap<object, Validator>()

function validatorFor(schema: Record<string, unknown>): Validator {
  let validator = validators.get(schema)
  if (!validator) {
    validator = new Validator(schema as Schema, '2020-12', false)
    validators.set(schema, validator)
  }
  return validator
}

/**
 * Checks one answer of the API against the OpenAPI document: the route and status must be
 * declared (exactly, or by its `4XX`/`5XX` range) and a JSON body must match the declared schema.
 * Bodies that are not JSON (event streams, files) are not read.
 */
export async function checkAgainstOpenApi(
  doc: OpenApiDocument,
  request: Request,
  response: Response,
): Promise<Checked> {
  const method = request.method.toLowerCase()
  const { pathname } = new URL(request.url)
  const op = findOperation(doc, method, pathname)
  const status = response.status
  if (!op) return { operation: `${method} ${pathname}`, status, errors: ['no such operation'] }
  const declared = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`]
  if (!declared)
    return { operation: op.operationId, status, errors: [`status ${status} not declared`] }
  const content = resolve(doc, declared).content as Record<string, { schema: unknown }> | undefined
  if (!/^application\/json\b/.test(response.headers.get('content-type') ?? '')) {
    const text = status === 204 ? await response.clone().text() : ''
    return { operation: op.operationId, status, errors: text ? ['a body in a 204 answer'] : [] }
  }
  if (!content?.['application/json']) {
    return { operation: op.operationId, status, errors: ['a JSON body where none is declared'] }
  }
  const schema = resolve(doc, content['application/json'].schema)
  const result = validatorFor(schema).validate(await response.clone().json())
  return {
    operation: op.operationId,
    status,
    errors: result.errors.map((e) => `${e.instanceLocation}: ${e.error}`),
  }
}

let document: OpenApiDocument | undefined

/**
 * The hook of the tests' clients (`browser()`, `tokenClient()` in helpers.ts): every answer of
 * an `/api/` route in every API test must be what the OpenAPI document says, or the test fails.
 */
export async function assertMatchesOpenApi(request: Request, response: Response): Promise<void> {
  if (!new URL(request.url).pathname.startsWith('/api/')) return
  document ??= buildOpenApiDocument({ sessionCookie: SESSION_COOKIE })
  const checked = await checkAgainstOpenApi(document, request, response)
  if (checked.errors.length) {
    throw new Error(
      `${request.method} ${new URL(request.url).pathname} answered ${checked.status}, which the OpenAPI document (${checked.operation}) does not describe: ${checked.errors.slice(0, 5).join('; ')}`,
    )
  }
}
