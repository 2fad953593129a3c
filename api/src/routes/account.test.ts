import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import {
  apiError,
  auditRows,
  browser,
  PASSWORD,
  signUp,
  signUpAdmin,
  tokenClient,
} from '../../test/helpers.ts'
import { magnetFor, randomInfohash } from '../../test/pipeline.ts'

const NEW_PASSWORD = 'a brand new passphrase'

describe('changing the password', () => {
  it('asks for the current password, with the error on its field', async () => {
    const user = await signUp()
    const error = await apiError(
      user.api.changePassword({
        body: { currentPassword: 'not my password', newPassword: NEW_PASSWORD },
      }),
    )
    expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' })
    expect(error.issues?.[0]?.path).toEqual(['currentPassword'])
  })

  it('sets the new password, signs out the other sessions only, and audits it', async () => {
    const user = await signUp()
    const phone = browser()
    await phone.api.login({ body: { email: user.email, password: PASSWORD } })
    await user.api.changePassword({
      body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    })
    expect((await apiError(phone.api.me())).code).toBe('session_expired')
    expect((await user.api.me()).user.email).toBe(user.email)
    const error = await apiError(
      browser().api.login({ body: { email: user.email, password: PASSWORD } }),
    )
    expect(error.code).toBe('invalid_credentials')
    await browser().api.login({ body: { email: user.email, password: NEW_PASSWORD } })
    expect(await auditRows('user.password_changed', user.userId)).toHaveLength(1)
  })

  it('refuses a short new password with the shared schema\u2019s words', async () => {
    const user = await signUp()
    const error = await apiError(
      user.api.changePassword({ body: { currentPassword: PASSWORD, newPassword: 'short' } }),
    )
    expect(error.status).toBe(400)
    expect(error.issues?.[0]).toMatchObject({
      path: ['newPassword'],
      message: 'must be at least 10 characters',
    })
  })
})

describe('signing out everywhere', () => {
  it('ends every session of the user, this one too, and audits it', async () => {
    const user = await signUp()
    const phone = browser()
    await phone.api.login({ body: { email: user.email, password: PASSWORD } })
    await user.api.signOutEverywhere()
    expect((await apiError(phone.api.me())).status).toBe(401)
    expect((await apiError(user.api.me())).status).toBe(401)
    const [row] = await auditRows('session.revoked_all', user.userId)
    expect(JSON.parse(row!.meta as string)).toMatchObject({
      reason: 'signed_out_everywhere',
      sessions: 2,
    })
  })
})

describe('deleting the account', () => {
  it('asks for the password and changes nothing when it is wrong', async () => {
    const user = await signUp()
    const error = await apiError(user.api.deleteAccount({ body: { password: 'wrong one!' } }))
    expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' })
    expect((await user.api.me()).user.id).toBe(user.userId)
  })

  it('removes jobs, tokens, sessions and the user, and audits it', async () => {
    const user = await signUp()
    await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const script = await tokenClient(user, ['jobs:read'])
    await user.api.deleteAccount({ body: { password: PASSWORD } })

    const count = async (sql: string) =>
      (await env.DB.prepare(sql).bind(user.userId).first<{ n: number }>())!.n
    expect(await count('SELECT COUNT(*) AS n FROM jobs WHERE user_id = ?')).toBe(0)
    expect(await count('SELECT COUNT(*) AS n FROM api_tokens WHERE user_id = ?')).toBe(0)
    expect(await count('SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?')).toBe(0)
    expect(await count('SELECT COUNT(*) AS n FROM users WHERE id = ?')).toBe(0)
    expect((await apiError(script.api.listJobs())).status).toBe(401)
    expect((await apiError(user.api.me())).status).toBe(401)
    const login = await apiError(
      browser().api.login({ body: { email: user.email, password: PASSWORD } }),
    )
    expect(login.code).toBe('invalid_credentials')
    const [row] = await auditRows('user.deleted', user.userId)
    expect(JSON.parse(row!.meta as string)).toMatchObject({ jobs: 1, tokens: 1, sessions: 1 })
  })
})

describe('an admin resetting a password', () => {
  it('answers a one-time password that signs the user in, ends their sessions, and is audited', async () => {
    const admin = await signUpAdmin()
    const user = await signUp()
    const { password } = await admin.api.adminResetPassword({ params: { id: user.userId } })
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/)
    expect((await apiError(user.api.me())).status).toBe(401)
    await browser().api.login({ body: { email: user.email, password } })
    const [row] = await auditRows('admin.password_reset', user.userId)
    expect(row).toMatchObject({ actor_id: admin.userId })
    expect(JSON.stringify(row)).not.toContain(password)
  })

  it('makes the one-time password lead only to choosing a new one', async () => {
    const admin = await signUpAdmin()
    const user = await signUp()
    const token = await tokenClient(user, ['jobs:read'])
    const { password } = await admin.api.adminResetPassword({ params: { id: user.userId } })
    const device = browser()
    const { user: signedIn } = await device.api.login({ body: { email: user.email, password } })
    expect(signedIn.mustChangePassword).toBe(true)
    expect((await device.api.me()).user.mustChangePassword).toBe(true)
    // Every other call, by the new session or an API token, is refused with a code to act on.
    const calls = [
      () => device.api.listJobs(),
      () => device.api.listTokens(),
      () => token.api.listJobs(),
    ]
    for (const call of calls) {
      expect(await apiError(call())).toMatchObject({
        status: 403,
        code: 'password_change_required',
      })
    }
    await device.api.changePassword({
      body: { currentPassword: password, newPassword: NEW_PASSWORD },
    })
    expect((await device.api.me()).user.mustChangePassword).toBe(false)
    expect(await device.api.listJobs()).toMatchObject({ jobs: [] })
    expect(await token.api.listJobs()).toMatchObject({ jobs: [] })
  })

  it('is for admins only', async () => {
    const user = await signUp()
    const other = await signUp()
    const error = await apiError(user.api.adminResetPassword({ params: { id: other.userId } }))
    expect(error.status).toBe(403)
  })
})
