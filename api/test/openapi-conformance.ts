import { Validator } from '@cfworker/json-schema'
import type { OpenApiDocument } from '@tseeder/shared/openapi'

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

/**
 * Checks one answer of the API against the OpenAPI document: the route and status must be
 * declared (exactly, or by its `4XX`/`5XX` range) and a JSON body must match the declared schema.
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
  const text = await response.clone().text()
  if (!content?.['application/json']) {
    return {
      operation: op.operationId,
      status,
      errors: text ? ['a body where none is declared'] : [],
    }
  }
  const schema = resolve(doc, content['application/json'].schema)
  const result = new Validator(schema as object, '2020-12', false).validate(JSON.parse(text))
  return {
    operation: op.operationId,
    status,
    errors: result.errors.map((e) => `${e.instanceLocation}: ${e.error}`),
  }
}
