import type { OpenApiDocument, OpenApiOperation } from './openapi.ts'

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!)
}

function schemaBlock(schema: unknown): string {
  return `<pre>${esc(JSON.stringify(schema, null, 2))}</pre>`
}

function who(op: OpenApiOperation): string {
  if (!op.security.length) return 'public'
  return op.security
    .map((req) =>
      Object.entries(req)
        .map(([scheme, scopes]) => (scopes.length ? `${scheme} (${scopes.join(', ')})` : scheme))
        .join(' + '),
    )
    .join(' or ')
}

function operationHtml(method: string, path: string, op: OpenApiOperation): string {
  const parts = [
    `<section id="${esc(op.operationId)}"><h3><span class="m">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>`,
    op.summary ? `<p>${esc(op.summary)}</p>` : '',
    `<p class="meta">operationId <code>${esc(op.operationId)}</code> · auth: ${esc(who(op))}</p>`,
  ]
  if (op.parameters?.length) {
    const rows = op.parameters
      .map(
        (p) =>
          `<tr><td><code>${esc(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td></tr>`,
      )
      .join('')
    parts.push(
      `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${rows}</table>`,
    )
  }
  for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
    parts.push(
      `<details><summary>Request body (${esc(type)})</summary>${schemaBlock(media.schema)}</details>`,
    )
  }
  for (const [status, response] of Object.entries(op.responses)) {
    const content = (response as { content?: Record<string, { schema: unknown }> }).content
    const json = content?.['application/json']
    parts.push(
      json
        ? `<details><summary>${esc(status)} response</summary>${schemaBlock(json.schema)}</details>`
        : `<p class="meta">${esc(status)}: ${esc(String((response as { description?: string }).description ?? 'see Error'))}</p>`,
    )
  }
  return `${parts.join('')}</section>`
}

/** The page's only style; the page has no script, so its CSP allows nothing else. */
export const OPENAPI_PAGE_STYLE =
  'body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}' +
  'pre{background:#f4f4f5;padding:.75rem;overflow:auto;font-size:13px}section{border-top:1px solid #ddd;padding:.5rem 0}' +
  '.m{display:inline-block;min-width:4rem;font-family:monospace;color:#0a58ca}.meta{color:#555;font-size:13px}' +
  'table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left}' +
  '@media (prefers-color-scheme:dark){body{background:#121212;color:#eee}pre{background:#1e1e1e}.meta{color:#aaa}}'

/**
 * A static, script-free HTML reference of an OpenAPI document (served at `/api/docs`): one
 * section per operation grouped by tag, with auth, parameters and schemas. Works offline and
 * under a CSP that forbids scripts and outside resources.
 */
export function renderOpenApiHtml(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>()
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = op.tags[0] ?? 'api'
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)])
    }
  }
  const schemes = Object.entries(doc.components.securitySchemes ?? {})
    .map(
      ([name, s]) =>
        `<dt><code>${esc(name)}</code></dt><dd><pre>${esc(String((s as { description?: string }).description ?? ''))}</pre></dd>`,
    )
    .join('')
  const toc = [...byTag.keys()]
    .map((tag) => `<a href="#tag-${esc(tag)}">${esc(tag)}</a>`)
    .join(' · ')
  const sections = [...byTag.entries()]
    .map(([tag, ops]) => `<h2 id="tag-${esc(tag)}">${esc(tag)}</h2>${ops.join('')}`)
    .join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(doc.info.title)} reference</title><style>${OPENAPI_PAGE_STYLE}</style></head><body><h1>${esc(doc.info.title)} ${esc(doc.info.version)}</h1><p>${esc(doc.info.description)}</p><p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p><h2>Authentication</h2><dl>${schemes}</dl><h2>Errors</h2>${schemaBlock(doc.components.schemas?.Error)}<p>${toc}</p>${sections}</body></html>`
}
