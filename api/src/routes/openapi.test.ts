import { SELF } from 'cloudflare:test'
import type { OpenApiDocument } from '@tseeder/shared/openapi'
import { describe, expect, it } from 'vitest'
import { BASE_URL, browser, signUp, signUpAdmin, type Browser } from '../../test/helpers.ts'
import { checkAgainstOpenApi, type Checked } from '../../test/openapi-conformance.ts'
import { storedJob } from '../../test/pipeline.ts'

async function openApiDocument(): Promise<OpenApiDocument> {
  const response = await SELF.fetch(`${BASE_URL}/api/openapi.json`)
  expect(response.status).toBe(200)
  return (await response.json()) as OpenApiDocument
}

/** Checks every answer `b` receives against the document, collecting the results in `seen`. */
function conforming(b: Browser, doc: OpenApiDocument, seen: Checked[]): Browser {
  const send = b.fetch
  b.fetch = async (input, init) => {
    const request =
      typeof input === 'string'
        ? new Request(new URL(input, BASE_URL), { method: init?.method })
        : input
    const facts = { method: request.method, url: request.url }
    const response = await send(input, init)
    seen.push(
      await checkAgainstOpenApi(doc, new Request(facts.url, { method: facts.method }), response),
    )
    return response
  }
  return b
}

describe('GET /api/openapi.json', () => {
  it('is public and cacheable, and names the session cookie the API sets', async () => {
    const response = await SELF.fetch(`${BASE_URL}/api/openapi.json`)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600')
    const doc = (await response.json()) as OpenApiDocument
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.servers).toEqual([{ url: BASE_URL }])
    expect(doc.components.securitySchemes).toMatchObject({
      sessionCookie: { in: 'cookie', name: '__Host-tseeder_session' },
    })
  })

  it('has a script-free reference page at /api/docs', async () => {
    const response = await SELF.fetch(`${BASE_URL}/api/docs`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(response.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-/,
    )
    const html = await response.text()
    expect(html).toContain('id="createJob"')
    expect(html).not.toContain('<script')
  })

  it('describes the answers the API really gives (successes and errors) for a representative set of calls', async () => {
    const doc = await openApiDocument()
    const seen: Checked[] = []
    const anonymous = conforming(browser(), doc, seen)
    await anonymous.api.health()
    await anonymous.api.config()
    await anonymous.api.me().catch(() => undefined)

    const user = conforming(await signUp(), doc, seen)
    await user.api.me()
    await user.api.listSessions()
    const token = await user.api.createToken({ body: { name: 'script', scopes: ['jobs:read'] } })
    await user.api.listTokens()
    await user.api.revokeToken({ params: { id: token.id } })
    await user.api
      .createJob({ body: { magnet: 'magnet:?xt=urn:btih:nope' } })
      .catch(() => undefined)
    const { job, files } = await storedJob(user)
    await user.api.listJobs()
    await user.api.getJob({ params: { id: job.id } })
    await user.api.jobHistory({ params: { id: job.id } })
    await user.api.listJobFiles({ params: { id: job.id } })
    await user.api.createFileLink({ params: { id: files[0]!.id } })
    await user.api.createLinkList({ params: { id: job.id }, body: { format: 'aria2' } })
    await user.api
      .createLinkList({ params: { id: job.id }, body: { format: 'urls', lifetimeSeconds: 1e9 } })
      .catch(() => undefined)
    const hook = await user.api.createWebhook({ body: { url: 'https://hooks.example.com/x' } })
    await user.api.createWebhook({ body: { url: 'http://10.0.0.1/' } }).catch(() => undefined)
    await user.api.listWebhooks()
    await user.api.listWebhookAttempts({ params: { id: hook.id } })
    await user.api.rotateWebhookSecret({ params: { id: hook.id } })
    await user.api.deleteWebhook({ params: { id: hook.id } })
    await anonymous.api.openApi()
    await user.api.getJob({ params: { id: 'no-such-job' } }).catch(() => undefined)
    await user.api.pushKey().catch(() => undefined)

    const admin = conforming(await signUpAdmin(), doc, seen)
    await admin.api.adminListUsers()
    await admin.api.adminListJobs()
    await admin.api.adminListAgents()
    await admin.api.adminListBlocklist()
    await admin.api.adminListAlerts()
    await admin.api.adminAudit()
    await user.api.adminListUsers().catch(() => undefined)

    expect(seen.filter((c) => c.errors.length)).toEqual([])
    const statuses = new Set(seen.map((c) => c.status))
    for (const status of [200, 201, 204, 400, 401, 403, 404]) expect(statuses).toContain(status)
    expect(new Set(seen.map((c) => c.operation)).size).toBeGreaterThanOrEqual(27)
  })

  it('catches an answer that does not match the document (the check above can fail)', async () => {
    const doc = await openApiDocument()
    const request = new Request(`${BASE_URL}/api/jobs/x`)
    const wrong = Response.json({ id: 'x', status: 'not-a-status' })
    expect((await checkAgainstOpenApi(doc, request, wrong)).errors).not.toEqual([])
    const teapot = Response.json({ error: { code: 'x', message: 'y' } }, { status: 302 })
    expect((await checkAgainstOpenApi(doc, request, teapot)).errors).toEqual([
      'status 302 not declared',
    ])
  })
})
