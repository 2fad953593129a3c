import { createExecutionContext, env, SELF } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { app } from '../app.ts'
import { SESSION_COOKIE } from '../middleware/authenticate.ts'
import {
  apiError,
  auditRows,
  BASE_URL,
  browser,
  PASSWORD,
  randomIp,
  signUp,
  signUpAdmin,
  uniqueEmail,
} from '../../test/helpers.ts'

afterEach(() => vi.restoreAllMocks())

describe('POST /api/auth/register', () => {
  it('creates the account, signs in and sets a Secure, HttpOnly, SameSite=Strict cookie', async () => {
    const b = browser()
    const response = await b.fetch('/api/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
    })
    expect(response.status).toBe(201)
    const cookie = response.headers.get('set-cookie')!
    expect(cookie).toMatch(/tseeder_session=[A-Za-z0-9_-]{43};/)
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/Secure/i)
    expect(cookie).toMatch(/SameSite=Strict/i)
    expect(cookie).toMatch(/Path=\//)
    const body = await response.json<{
      user: { role: string; aupAcceptedAt: null }
      csrfToken: string
    }>()
    expect(body.user.role).toBe('user')
    expect(body.user.aupAcceptedAt).toBeNull()
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('names the session cookie __Host- (Secure, Path=/, no Domain) so no subdomain can plant one', async () => {
    const b = browser()
    const registered = await b.fetch('/api/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
    })
    const cookie = registered.headers.get('set-cookie')!
    expect(cookie).toMatch(/^__Host-tseeder_session=[A-Za-z0-9_-]{43};/)
    expect(cookie).toMatch(/; Secure/i)
    expect(cookie).toMatch(/; Path=\/(;|$)/)
    expect(cookie).not.toMatch(/Domain=/i)
    const { csrfToken } = await registered.json<{ csrfToken: string }>()
    const loggedOut = await b.fetch('/api/auth/logout', {
      method: 'POST',
      headers: { 'x-csrf-token': csrfToken },
    })
    expect(loggedOut.status).toBe(204)
    expect(loggedOut.headers.get('set-cookie')).toMatch(/^__Host-tseeder_session=;.*Max-Age=0/i)
  })

  it('ignores a session token sent in a cookie without the __Host- prefix', async () => {
    const user = await signUp()
    const response = await SELF.fetch(`${BASE_URL}/api/auth/me`, {
      headers: { cookie: `tseeder_session=${user.cookie}` },
    })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: { code: 'not_signed_in' } })
  })

  it('stores the session token hashed, never as sent', async () => {
    const user = await signUp()
    const row = await env.DB.prepare('SELECT token_hash FROM sessions WHERE user_id = ?')
      .bind(user.userId)
      .first<{
        token_hash: string
      }>()
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(row!.token_hash).not.toBe(user.cookie)
  })

  it('answers 409 when the email is already registered, whatever its case', async () => {
    const email = uniqueEmail()
    await signUp({ email })
    const error = await apiError(
      browser().api.register({ body: { email: email.toUpperCase(), password: PASSWORD } }),
    )
    expect(error.status).toBe(409)
    expect(error.code).toBe('email_taken')
  })

  it('names the fields that are wrong', async () => {
    const error = await apiError(
      browser().api.register({ body: { email: 'not-an-email', password: 'short' } }),
    )
    expect(error.status).toBe(400)
    expect(error.code).toBe('validation_failed')
    expect(error.issues?.map((i) => i.path[0]).sort()).toEqual(['email', 'password'])
    expect(error.message).toMatch(/email/)
  })

  it('answers 400, not 500, to malformed JSON and 415 to a body that is not JSON', async () => {
    const b = browser()
    const malformed = await b.fetch('/api/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    })
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ error: { code: 'invalid_json' } })
    const form = await b.fetch('/api/auth/register', {
      method: 'POST',
      body: new URLSearchParams({ a: 'b' }),
    })
    expect(form.status).toBe(415)
  })

  it('never makes an account admin at registration, even an email listed in ADMIN_EMAILS', async () => {
    const response = await app.request(
      '/api/auth/register',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': randomIp() },
        body: JSON.stringify({ email: 'root@tseeder.test', password: PASSWORD }),
      },
      { ...env, ADMIN_EMAILS: 'root@tseeder.test' },
      createExecutionContext(),
    )
    expect(response.status).toBe(201)
    expect((await response.json<{ user: { role: string } }>()).user.role).toBe('user')
  })

  it('makes admins only through D1, as npm run admin:create does', async () => {
    const admin = await signUpAdmin()
    expect((await admin.api.me()).user.role).toBe('admin')
    expect((await admin.api.adminListUsers()).users.length).toBeGreaterThan(0)
  })

  it('counts every IPv6 address of one /64 as one address, so rotating within it does not escape the limit', async () => {
    const hex = () => Math.floor(Math.random() * 0xffff).toString(16)
    const prefix = `2001:db8:${hex()}:${hex()}`
    for (let i = 0; i < 10; i++) {
      await browser(`${prefix}::${(i + 1).toString(16)}`).api.register({
        body: { email: uniqueEmail('v6'), password: PASSWORD },
      })
    }
    const error = await apiError(
      browser(`${prefix}:${hex()}:${hex()}:${hex()}:${hex()}`).api.register({
        body: { email: uniqueEmail(), password: PASSWORD },
      }),
    )
    expect(error.status).toBe(429)
    // Another /64 is another party.
    await browser(`2001:db8:${hex()}:${hex()}::1`).api.register({
      body: { email: uniqueEmail(), password: PASSWORD },
    })
  })

  it('limits registrations per IP address', async () => {
    const ip = randomIp()
    for (let i = 0; i < 10; i++) {
      await browser(ip).api.register({ body: { email: uniqueEmail('burst'), password: PASSWORD } })
    }
    const error = await apiError(
      browser(ip).api.register({ body: { email: uniqueEmail(), password: PASSWORD } }),
    )
    expect(error.status).toBe(429)
    expect(error.code).toBe('rate_limited')
    expect(error.retryAfter).toBeGreaterThan(0)
  })

  it('audits the registration', async () => {
    const user = await signUp()
    const [row] = await auditRows('user.registered', user.userId)
    expect(row).toMatchObject({ actor_id: user.userId, target_type: 'user' })
    expect(row!.request_id).toBeTruthy()
    expect(row!.ip).toMatch(/^203\.0\./)
  })
})

/** `perAddress` wrong passwords for `email` from each of `ips`, each answered 401. */
async function failSignIns(email: string, ips: string[], perAddress: number): Promise<void> {
  for (const ip of ips) {
    for (let i = 0; i < perAddress; i++) {
      const error = await apiError(
        browser(ip).api.login({ body: { email, password: `wrong-${i}-password` } }),
      )
      expect(error.status).toBe(401)
    }
  }
}

describe('POST /api/auth/login', () => {
  it('opens a new session with a new id and CSRF token on every login', async () => {
    const user = await signUp()
    const first = browser()
    const a = await first.api.login({ body: { email: user.email, password: PASSWORD } })
    const cookieA = first.cookie
    const second = browser()
    const b = await second.api.login({ body: { email: user.email, password: PASSWORD } })
    expect(cookieA).not.toBe(second.cookie)
    expect(a.csrfToken).not.toBe(b.csrfToken)
  })

  it('replaces the session a browser already had when it signs in again', async () => {
    const user = await signUp()
    const before = user.cookie
    await user.api.login({ body: { email: user.email, password: PASSWORD } })
    expect(user.cookie).not.toBe(before)
    const stale = await SELF.fetch(`${BASE_URL}/api/auth/me`, {
      headers: { cookie: `${SESSION_COOKIE}=${before}` },
    })
    expect(stale.status).toBe(401)
  })

  it('answers 401 with one message for a wrong password and an unknown email', async () => {
    const user = await signUp()
    const wrong = await apiError(
      browser().api.login({ body: { email: user.email, password: 'wrong password!' } }),
    )
    const unknown = await apiError(
      browser().api.login({ body: { email: uniqueEmail(), password: PASSWORD } }),
    )
    expect(wrong.status).toBe(401)
    expect(wrong.code).toBe('invalid_credentials')
    expect(unknown.message).toBe(wrong.message)
    expect(await auditRows('auth.login_failed', user.userId)).toHaveLength(1)
  })

  it('locks an address out of an account for a while after 5 wrong passwords from it, even with the right one', async () => {
    const user = await signUp()
    const ip = randomIp()
    for (let i = 0; i < 5; i++) {
      const error = await apiError(
        browser(ip).api.login({ body: { email: user.email, password: `wrong-${i}-password` } }),
      )
      expect(error.status).toBe(401)
    }
    const locked = await apiError(
      browser(ip).api.login({ body: { email: user.email, password: PASSWORD } }),
    )
    expect(locked.status).toBe(429)
    expect(locked.retryAfter).toBeGreaterThan(60)
  })

  it('lets the owner in from their own address while another address is locked out of the account', async () => {
    const user = await signUp()
    await failSignIns(user.email, [randomIp()], 5)
    const { user: signedIn } = await browser().api.login({
      body: { email: user.email, password: PASSWORD },
    })
    expect(signedIn.id).toBe(user.userId)
  })

  it('stops guessing spread over many addresses at a per-account ceiling when Turnstile is off', async () => {
    const user = await signUp()
    await failSignIns(user.email, Array.from({ length: 10 }, randomIp), 5)
    const locked = await apiError(
      browser().api.login({ body: { email: user.email, password: PASSWORD } }),
    )
    expect(locked.status).toBe(429)
    expect(locked.retryAfter).toBeGreaterThan(60)
  })

  it('lets a sign-in that solved Turnstile past the per-account ceiling', async () => {
    const user = await signUp()
    await failSignIns(user.email, Array.from({ length: 10 }, randomIp), 5)
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(Response.json({ success: true }))
    const response = await app.request(
      '/api/auth/login',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': randomIp() },
        body: JSON.stringify({ email: user.email, password: PASSWORD, turnstileToken: 'solved' }),
      },
      { ...env, TURNSTILE_SECRET: 'turnstile-secret' },
      createExecutionContext(),
    )
    expect(response.status).toBe(200)
  })

  it('limits login attempts per IP address across accounts', async () => {
    const ip = randomIp()
    for (let i = 0; i < 20; i++) {
      await apiError(
        browser(ip).api.login({ body: { email: uniqueEmail('spray'), password: PASSWORD } }),
      )
    }
    const error = await apiError(
      browser(ip).api.login({ body: { email: uniqueEmail(), password: PASSWORD } }),
    )
    expect(error.status).toBe(429)
  })
})

describe('POST /api/auth/logout', () => {
  it('revokes the session on the server, so the old cookie stops working', async () => {
    const user = await signUp()
    const cookie = user.cookie
    await user.api.logout()
    expect(user.cookie).toBeNull()
    const reuse = await SELF.fetch(`${BASE_URL}/api/auth/me`, {
      headers: { cookie: `${SESSION_COOKIE}=${cookie}` },
    })
    expect(reuse.status).toBe(401)
    expect(await reuse.json()).toMatchObject({ error: { code: 'session_expired' } })
    expect(await auditRows('session.logout')).not.toHaveLength(0)
  })
})

describe('GET /api/auth/me', () => {
  it('returns the user, the CSRF token, the plan and the usage', async () => {
    const user = await signUp()
    const me = await user.api.me()
    expect(me.user.email).toBe(user.email)
    expect(me.csrfToken).toBe(user.api.csrfToken)
    expect(me.plan).toMatchObject({
      id: 'free',
      maxActiveJobs: 2,
      storageBytes: 5_000_000_000,
      maxFileBytes: 500_000_000,
      bandwidthBytesPerMonth: 50_000_000_000,
      retentionDays: 7,
      maxSessions: 3,
    })
    expect(me.usage).toMatchObject({ storageBytes: 0, bandwidthBytes: 0, activeJobs: 0 })
  })

  it('answers 401 when not signed in', async () => {
    const error = await apiError(browser().api.me())
    expect(error.status).toBe(401)
    expect(error.code).toBe('not_signed_in')
  })
})

describe('POST /api/auth/aup', () => {
  it('records acceptance once and audits it', async () => {
    const user = await signUp({ acceptAup: false })
    expect((await user.api.me()).user.aupAcceptedAt).toBeNull()
    const { user: accepted } = await user.api.acceptAup({ body: { accept: true } })
    expect(accepted.aupAcceptedAt).not.toBeNull()
    const again = await user.api.acceptAup({ body: { accept: true } })
    expect(again.user.aupAcceptedAt).toBe(accepted.aupAcceptedAt)
    expect(await auditRows('user.aup_accepted', user.userId)).toHaveLength(1)
  })

  it('refuses anything but accept: true', async () => {
    const user = await signUp({ acceptAup: false })
    const error = await apiError(
      user
        .fetch('/api/auth/aup', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': user.api.csrfToken! },
          body: JSON.stringify({ accept: false }),
        })
        .then(async (r) => {
          if (!r.ok) {
            const { ApiError } = await import('@tseeder/shared')
            const body = await r.json<{ error: { code: string; message: string } }>()
            throw new ApiError(r.status, body.error.code, body.error.message)
          }
        }),
    )
    expect(error.status).toBe(400)
  })
})
