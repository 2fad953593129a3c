import { Hono } from 'hono'
import { endpoints } from '@tseeder/shared'
import { buildOpenApiDocument, type OpenApiDocument } from '@tseeder/shared/openapi'
import { OPENAPI_PAGE_STYLE, renderOpenApiHtml } from '@tseeder/shared/openapi-html'
import type { AppEnv } from '../env.ts'
import { route } from '../lib/route.ts'
import { SESSION_COOKIE } from '../middleware/authenticate.ts'

export const openApiRoutes = new Hono<AppEnv>()

/** The document depends only on the table (and the origin): built once per isolate and origin. */
const documents = new Map<string, OpenApiDocument>()

function documentFor(url: string): OpenApiDocument {
  const origin = new URL(url).origin
  let doc = documents.get(origin)
  if (!doc) {
    doc = buildOpenApiDocument({ serverUrl: origin, sessionCookie: SESSION_COOKIE })
    documents.set(origin, doc)
  }
  return doc
}

const CACHE = 'public, max-age=3600'

route(openApiRoutes, endpoints.openApi, async (c) =>
  c.json(documentFor(c.req.url), 200, { 'cache-control': CACHE }),
)

/** The human-readable reference: static HTML, no script; its CSP allows only its own style. */
openApiRoutes.get('/api/docs', async (c) => {
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(OPENAPI_PAGE_STYLE))
  const styleHash = btoa(String.fromCharCode(...new Uint8Array(hash)))
  return c.html(renderOpenApiHtml(documentFor(c.req.url)), 200, {
    'cache-control': CACHE,
    'content-security-policy': `default-src 'none'; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  })
})
