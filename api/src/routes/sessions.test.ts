import { describe, expect, it } from 'vitest'
import { apiError, auditRows, browser, PASSWORD, signUp } from '../../test/helpers.ts'

describe('device sessions', () => {
  it('lists the user\u2019s sessions and marks the current one', async () => {
    const user = await signUp()
    await browser().api.login({
      body: { email: user.email, password: PASSWORD, deviceLabel: 'Phone' },
    })
    const { sessions } = await user.api.listSessions()
    expect(sessions).toHaveLength(2)
    expect(sessions.filter((s) => s.current)).toHaveLength(1)
    expect(sessions.map((s) => s.deviceLabel)).toContain('Phone')
  })

  it('revokes another device, which is signed out at once', async () => {
    const user = await signUp()
    const phone = browser()
    await phone.api.login({ body: { email: user.email, password: PASSWORD } })
    const { sessions } = await user.api.listSessions()
    const other = sessions.find((s) => !s.current)!
    await user.api.revokeSession({ params: { id: other.id } })
    expect((await apiError(phone.api.me())).code).toBe('session_expired')
    expect(await auditRows('session.revoked', other.id)).toHaveLength(1)
  })

  it('answers 404 for another user\u2019s session', async () => {
    const alice = await signUp()
    const bob = await signUp()
    const [bobSession] = (await bob.api.listSessions()).sessions
    const error = await apiError(alice.api.revokeSession({ params: { id: bobSession!.id } }))
    expect(error.status).toBe(404)
    expect(await bob.api.me()).toBeTruthy()
  })

  it('signs out the oldest session when a Free user opens a fourth, and audits it', async () => {
    const first = await signUp()
    const others = [browser(), browser(), browser()]
    for (const b of others) await b.api.login({ body: { email: first.email, password: PASSWORD } })
    expect((await apiError(first.api.me())).code).toBe('session_expired')
    for (const b of others) expect((await b.api.me()).user.email).toBe(first.email)
    expect((await others[2]!.api.listSessions()).sessions).toHaveLength(3)
    const [evicted] = await auditRows('session.evicted')
    expect(evicted).toMatchObject({ actor_type: 'system' })
    expect(JSON.parse(evicted!.meta as string)).toMatchObject({ userId: first.userId, limit: 3 })
  })

  it('never lets two simultaneous logins push a Free user over the limit', async () => {
    const user = await signUp()
    await Promise.all(
      Array.from({ length: 5 }, () =>
        browser().api.login({ body: { email: user.email, password: PASSWORD } }),
      ),
    )
    const fresh = browser()
    await fresh.api.login({ body: { email: user.email, password: PASSWORD } })
    expect((await fresh.api.listSessions()).sessions).toHaveLength(3)
  })
})
