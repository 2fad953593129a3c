import { createExecutionContext, env, SELF } from 'cloudflare:test'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { AppEnv } from '../env.ts'
import { authenticate, SESSION_COOKIE } from './authenticate.ts'
import { notFound, onError } from '../lib/errors.ts'
import { route } from '../lib/route.ts'
import { BASE_URL, signUp, tokenClient } from '../../test/helpers.ts'

describe('CSRF', () => {
  it('refuses a cookie-authenticated change without the X-CSRF-Token header', async () => {
    const user = await signUp()
    const response = await user.fetch('/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', scopes: ['jobs:read'] }),
    })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ error: { code: 'csrf_failed' } })
  })

  it('refuses a wrong token, including another session\u2019s', async () => {
    const user = await signUp()
    const other = await signUp()
    const response = await user.fetch('/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': other.api.csrfToken! },
      body: JSON.stringify({ name: 'x', scopes: ['jobs:read'] }),
    })
    expect(response.status).toBe(403)
  })

  it('does not ask bearer-token requests for it', async () => {
    const user = await signUp()
    const { token } = await tokenClient(user, ['jobs:read'])
    const response = await SELF.fetch(`${BASE_URL}/api/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(200)
  })
})

describe('route guards (on a test app built with the same route())', () => {
  const testApp = new Hono<AppEnv>()
  testApp.use('/api/*', authenticate)
  route(
    testApp,
    {
      method: 'POST',
      path: '/api/test/jobs',
      access: 'user',
      scope: 'jobs:write',
      aup: true,
      body: z.object({ n: z.number() }),
      response: z.object({ n: z.number() }),
      status: 201,
    },
    async (_c, { body }) => ({ n: body.n, secret: 'stripped' }),
  )
  route(
    testApp,
    { method: 'GET', path: '/api/test/boom', access: 'public', response: null, status: 204 },
    async () => {
      throw new Error('database password is hunter2')
    },
  )
  testApp.notFound(notFound)
  testApp.onError(onError)

  const call = (init: RequestInit & { path?: string } = {}) =>
    testApp.request(
      init.path ?? '/api/test/jobs',
      { method: 'POST', ...init },
      env,
      createExecutionContext(),
    )

  it('answers 403 aup_required until the user accepts the policy', async () => {
    const user = await signUp({ acceptAup: false })
    const init = {
      headers: {
        cookie: `${SESSION_COOKIE}=${user.cookie}`,
        'x-csrf-token': user.api.csrfToken!,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ n: 1 }),
    }
    const refused = await call(init)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ error: { code: 'aup_required' } })
    await user.api.acceptAup({ body: { accept: true } })
    expect((await call(init)).status).toBe(201)
  })

  it('enforces token scopes', async () => {
    const user = await signUp()
    const reader = await tokenClient(user, ['jobs:read'])
    const writer = await tokenClient(user, ['jobs:write'])
    const init = (token: string) => ({
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ n: 2 }),
    })
    const refused = await call(init(reader.token))
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ error: { code: 'insufficient_scope' } })
    const allowed = await call(init(writer.token))
    expect(allowed.status).toBe(201)
    expect(await allowed.json()).toEqual({ n: 2 })
  })

  it('answers 500 without internals, naming the request id', async () => {
    const response = await testApp.request('/api/test/boom', {}, env, createExecutionContext())
    expect(response.status).toBe(500)
    const body = await response.json<{ error: { code: string; message: string } }>()
    expect(body.error.code).toBe('internal_error')
    expect(body.error.message).not.toMatch(/hunter2|database/)
  })
})

describe('the Worker', () => {
  it('answers GET /api/health without auth', async () => {
    const response = await SELF.fetch(`${BASE_URL}/api/health`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true })
  })

  it('answers unknown API routes with a JSON 404', async () => {
    const response = await SELF.fetch(`${BASE_URL}/api/nope`)
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } })
  })

  it('sends a request id and secure headers on every answer', async () => {
    const response = await SELF.fetch(`${BASE_URL}/api/health`)
    expect(response.headers.get('x-request-id')).toBeTruthy()
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age/)
  })
})

describe('audit_logs', () => {
  it('refuses UPDATE and DELETE in the database itself', async () => {
    await signUp()
    await expect(env.DB.prepare("UPDATE audit_logs SET action = 'x'").run()).rejects.toThrow(
      /append-only/,
    )
    await expect(env.DB.prepare('DELETE FROM audit_logs').run()).rejects.toThrow(/append-only/)
    const count = await env.DB.prepare('SELECT COUNT(*) AS n FROM audit_logs').first<number>('n')
    expect(count).toBeGreaterThan(0)
  })
})
