import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import {
  BASE_URL,
  browser,
  PASSWORD,
  signUp,
  tokenClient,
  type Browser,
} from '../../test/helpers.ts'
import { magnetFor, randomInfohash } from '../../test/pipeline.ts'
import { userSessions } from '../durable/user-session.ts'

/** Opens a job's event stream and reads its first chunk (the `retry:` line): it is live. */
async function openJobStream(fetcher: Browser['fetch'], jobId: string) {
  const response = await fetcher(`/api/jobs/${jobId}/events`)
  expect(response.status).toBe(200)
  const reader = response.body!.getReader()
  await reader.read()
  return reader
}

/** 'closed' once the stream ends, or 'still open' after `ms`. */
function outcome(reader: ReadableStreamDefaultReader<Uint8Array>, ms = 5000) {
  return Promise.race([
    (async () => {
      try {
        for (;;) if ((await reader.read()).done) return 'closed'
      } catch {
        return 'closed'
      }
    })(),
    new Promise<string>((resolve) => setTimeout(() => resolve('still open'), ms)),
  ])
}

const bearer =
  (token: string): Browser['fetch'] =>
  (path, init) =>
    SELF.fetch(new Request(new URL(String(path), BASE_URL), init), {
      headers: { authorization: `Bearer ${token}` },
    })

async function userWithJob() {
  const user = await signUp()
  const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
  return { user, job }
}

describe("a job's event stream", () => {
  it('ends when the API token that opened it is revoked, and only that stream', async () => {
    const { user, job } = await userWithJob()
    const { token, id } = await tokenClient(user, ['jobs:read'])
    const byToken = await openJobStream(bearer(token), job.id)
    const bySession = await openJobStream(user.fetch, job.id)
    await user.api.revokeToken({ params: { id } })
    expect(await outcome(byToken)).toBe('closed')
    expect(await outcome(bySession, 500)).toBe('still open')
    await bySession.cancel()
    expect((await bearer(token)(`/api/jobs/${job.id}/events`)).status).toBe(401)
  })

  it('ends when the user signs out', async () => {
    const { user, job } = await userWithJob()
    const stream = await openJobStream(user.fetch, job.id)
    await user.api.logout()
    expect(await outcome(stream)).toBe('closed')
  })

  it('ends when the session that opened it is revoked from another device', async () => {
    const { user, job } = await userWithJob()
    const phone = browser()
    await phone.api.login({ body: { email: user.email, password: PASSWORD } })
    const stream = await openJobStream(phone.fetch, job.id)
    const { sessions } = await user.api.listSessions()
    await user.api.revokeSession({ params: { id: sessions.find((s) => !s.current)!.id } })
    expect(await outcome(stream)).toBe('closed')
  })

  it('ends, whichever credential opened it, when the account is suspended', async () => {
    const admin = await signUp()
    await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(admin.userId).run()
    const { user, job } = await userWithJob()
    const { token } = await tokenClient(user, ['jobs:read'])
    const byToken = await openJobStream(bearer(token), job.id)
    const bySession = await openJobStream(user.fetch, job.id)
    await admin.api.adminUpdateUser({ params: { id: user.userId }, body: { suspended: true } })
    expect(await outcome(byToken)).toBe('closed')
    expect(await outcome(bySession)).toBe('closed')
  })

  it('ends when the job is deleted, and only that job\u2019s streams', async () => {
    const { user, job } = await userWithJob()
    const other = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const first = await openJobStream(user.fetch, job.id)
    const second = await openJobStream(user.fetch, job.id)
    const otherJob = await openJobStream(user.fetch, other.id)
    await user.api.deleteJob({ params: { id: job.id } })
    expect(await outcome(first)).toBe('closed')
    expect(await outcome(second)).toBe('closed')
    expect(await outcome(otherJob, 500)).toBe('still open')
    await otherJob.cancel()
  })

  it('ends when the session that opened it expires, and a token\u2019s stream goes on', async () => {
    const { user, job } = await userWithJob()
    const { token } = await tokenClient(user, ['jobs:read'])
    await env.DB.prepare('UPDATE sessions SET expires_at = ? WHERE user_id = ?')
      .bind(Date.now() + 1500, user.userId)
      .run()
    const bySession = await openJobStream(user.fetch, job.id)
    const byToken = await openJobStream(bearer(token), job.id)
    expect(await outcome(bySession)).toBe('closed')
    expect(await outcome(byToken, 500)).toBe('still open')
    await byToken.cancel()
  })

  it('is refused when its credential ended between the Worker\u2019s check and the opening', async () => {
    const { user, job } = await userWithJob()
    const { id } = await tokenClient(user, ['jobs:read'])
    await user.api.revokeToken({ params: { id } })
    for (const jobId of [null, job.id]) {
      const stream = await userSessions(env, user.userId).openStream(id, '', jobId)
      expect({ jobId, stream }).toEqual({ jobId, stream: null })
    }
  })
})
