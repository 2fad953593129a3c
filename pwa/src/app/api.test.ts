import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, sessionChecks } from './api.ts'

function answer(status: number) {
  vi.stubGlobal(
    'fetch',
    vi.fn(
      async () =>
        new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'Sign in.' } }), {
          status,
          headers: { 'content-type': 'application/json' },
        }),
    ),
  )
}

describe('the app client', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('asks for a session check when an API call is refused with 401', async () => {
    const check = vi.fn()
    sessionChecks.addEventListener('check', check)
    answer(401)
    await expect(api.listJobs()).rejects.toMatchObject({ status: 401 })
    expect(check).toHaveBeenCalledTimes(1)
    sessionChecks.removeEventListener('check', check)
  })

  it('leaves 401s of the auth endpoints (a wrong password, no session yet) to their screens', async () => {
    const check = vi.fn()
    sessionChecks.addEventListener('check', check)
    answer(401)
    await expect(
      api.login({ body: { email: 'a@example.com', password: 'x'.repeat(12) } }),
    ).rejects.toMatchObject({ status: 401 })
    await expect(api.me()).rejects.toMatchObject({ status: 401 })
    expect(check).not.toHaveBeenCalled()
    sessionChecks.removeEventListener('check', check)
  })
})
