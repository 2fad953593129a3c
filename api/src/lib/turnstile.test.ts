import { createExecutionContext, env } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { app } from '../app.ts'
import { PASSWORD, randomIp, signUp, uniqueEmail } from '../../test/helpers.ts'

afterEach(() => vi.restoreAllMocks())

describe('Turnstile', () => {
  const turnstileEnv = () => ({ ...env, TURNSTILE_SECRET: 'turnstile-secret' })
  const post = (body: object, ip = randomIp()) =>
    app.request(
      '/api/auth/register',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip },
        body: JSON.stringify(body),
      },
      turnstileEnv(),
      createExecutionContext(),
    )

  it('verifies the token with Cloudflare when TURNSTILE_SECRET is set', async () => {
    const verify = vi.spyOn(globalThis, 'fetch').mockResolvedValue(Response.json({ success: true }))
    const response = await post({
      email: uniqueEmail(),
      password: PASSWORD,
      turnstileToken: 'good-token',
    })
    expect(response.status).toBe(201)
    const [url, init] = verify.mock.calls[0]!
    expect(String(url)).toBe('https://challenges.cloudflare.com/turnstile/v0/siteverify')
    const form = init!.body as FormData
    expect(form.get('secret')).toBe('turnstile-secret')
    expect(form.get('response')).toBe('good-token')
  })

  it('refuses sign-up and sign-in in production when TURNSTILE_SECRET is missing, naming it', async () => {
    const user = await signUp()
    const productionEnv = { ...env, ENVIRONMENT: 'production', TURNSTILE_SECRET: '' }
    for (const [path, body] of [
      ['/api/auth/register', { email: uniqueEmail(), password: PASSWORD }],
      ['/api/auth/login', { email: user.email, password: PASSWORD }],
    ] as const) {
      const response = await app.request(
        path,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'cf-connecting-ip': randomIp() },
          body: JSON.stringify(body),
        },
        productionEnv,
        createExecutionContext(),
      )
      expect(response.status).toBe(503)
      const { error } = await response.json<{ error: { code: string; message: string } }>()
      expect(error.code).toBe('service_unavailable')
      expect(error.message).toMatch(/Turnstile.*TURNSTILE_SECRET/)
    }
  })

  it('skips Turnstile without a secret outside production, as npm start runs', async () => {
    expect(env.ENVIRONMENT).toBe('local')
    const user = await signUp()
    expect((await user.api.me()).user.email).toBe(user.email)
  })

  it('refuses a registration whose token Cloudflare rejects, or that has no token', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      Response.json({ success: false, 'error-codes': ['invalid-input-response'] }),
    )
    const rejected = await post({ email: uniqueEmail(), password: PASSWORD, turnstileToken: 'bad' })
    expect(rejected.status).toBe(403)
    expect(await rejected.json()).toMatchObject({ error: { code: 'turnstile_failed' } })
    const missing = await post({ email: uniqueEmail(), password: PASSWORD })
    expect(missing.status).toBe(403)
  })
})
