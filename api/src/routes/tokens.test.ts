import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { apiError, auditRows, BASE_URL, signUp, tokenClient } from '../../test/helpers.ts'

describe('API tokens', () => {
  it('shows the token once, then lists it by prefix only', async () => {
    const user = await signUp()
    const created = await user.api.createToken({
      body: { name: 'laptop script', scopes: ['jobs:read', 'jobs:read'] },
    })
    expect(created.token).toMatch(/^tsd_[A-Za-z0-9_-]{43}$/)
    expect(created.scopes).toEqual(['jobs:read'])
    const { tokens } = await user.api.listTokens()
    expect(tokens).toHaveLength(1)
    expect(tokens[0]).not.toHaveProperty('token')
    expect(created.token.startsWith(tokens[0]!.prefix)).toBe(true)
    expect(await auditRows('token.created', created.id)).toHaveLength(1)
  })

  it('authenticates scripts with Authorization: Bearer and needs no CSRF header', async () => {
    const user = await signUp()
    const { api } = await tokenClient(user, ['jobs:read'])
    const me = await api.me()
    expect(me.user.id).toBe(user.userId)
    expect(me.csrfToken).toBeNull()
  })

  it('keeps tokens away from account management', async () => {
    const user = await signUp()
    const { api } = await tokenClient(user, ['jobs:read', 'jobs:write', 'files:read'])
    const error = await apiError(
      api.createToken({ body: { name: 'escalate', scopes: ['jobs:write'] } }),
    )
    expect(error.status).toBe(403)
    expect(error.code).toBe('session_required')
    expect((await apiError(api.listSessions())).status).toBe(403)
  })

  it('answers 401 once a token is revoked, and 401 for a made-up token', async () => {
    const user = await signUp()
    const { api, id } = await tokenClient(user, ['jobs:read'])
    await user.api.revokeToken({ params: { id } })
    expect((await apiError(api.me())).status).toBe(401)
    expect((await user.api.listTokens()).tokens).toHaveLength(0)
    const forged = await SELF.fetch(`${BASE_URL}/api/auth/me`, {
      headers: { authorization: `Bearer tsd_${'A'.repeat(43)}` },
    })
    expect(forged.status).toBe(401)
    const malformed = await SELF.fetch(`${BASE_URL}/api/auth/me`, {
      headers: { authorization: 'Basic abc' },
    })
    expect(malformed.status).toBe(401)
  })

  it('answers 404 when revoking another user\u2019s token', async () => {
    const alice = await signUp()
    const bob = await signUp()
    const { id, api } = await tokenClient(bob, ['jobs:read'])
    expect((await apiError(alice.api.revokeToken({ params: { id } }))).status).toBe(404)
    expect((await api.me()).user.id).toBe(bob.userId)
  })

  it('rejects a token request with no scopes or an unknown scope', async () => {
    const user = await signUp()
    expect((await apiError(user.api.createToken({ body: { name: 'x', scopes: [] } }))).status).toBe(
      400,
    )
    const unknown = await apiError(
      user.api.createToken({ body: { name: 'x', scopes: ['admin' as 'jobs:read'] } }),
    )
    expect(unknown.issues?.[0]?.path).toEqual(['scopes', 0])
  })
})

describe('a revoked token', () => {
  it('ends the live event stream it opened', async () => {
    const user = await signUp()
    const { token, id } = await tokenClient(user, ['jobs:read'])
    const stream = await SELF.fetch(`${BASE_URL}/api/events`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(stream.status).toBe(200)
    const reader = stream.body!.getReader()
    await reader.read()
    await user.api.revokeToken({ params: { id } })
    const end = await Promise.race([
      (async () => {
        for (;;) if ((await reader.read()).done) return 'closed'
      })(),
      new Promise((resolve) => setTimeout(() => resolve('still open'), 5000)),
    ])
    expect(end).toBe('closed')
  })
})
