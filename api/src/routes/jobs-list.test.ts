import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import {
  apiError,
  BASE_URL,
  browser,
  PASSWORD,
  signUp,
  signUpAdmin,
  tokenClient,
} from '../../test/helpers.ts'
import { magnetFor, randomInfohash } from '../../test/pipeline.ts'
import { endpoints } from '@tseeder/shared'
import { app } from '../app.ts'
import { sentAsBuilt } from '../lib/route.ts'
import { SESSION_COOKIE } from '../middleware/authenticate.ts'

/** `env.DB` that records each D1 round trip (a statement run alone, or a batch) as its SQL. */
function recordingDb() {
  const trips: string[][] = []
  const record = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const bind = statement.bind.bind(statement)
    statement.bind = (...values) => record(bind(...values), sql)
    for (const method of ['first', 'all', 'run', 'raw'] as const) {
      const run = (statement[method] as (...args: unknown[]) => unknown).bind(statement)
      Object.assign(statement, {
        [method]: (...args: unknown[]) => {
          trips.push([sql])
          return run(...args)
        },
      })
    }
    Object.assign(statement, { sqlText: sql })
    return statement
  }
  const db = new Proxy(env.DB, {
    get(target, key) {
      if (key === 'prepare') return (sql: string) => record(target.prepare(sql), sql)
      if (key === 'batch')
        return (statements: D1PreparedStatement[]) => {
          trips.push(statements.map((s) => (s as unknown as { sqlText: string }).sqlText))
          return target.batch(statements)
        }
      const value = Reflect.get(target, key) as unknown
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value
    },
  })
  return { db, trips }
}

async function listThroughApp(headers: Record<string, string>) {
  const { db, trips } = recordingDb()
  const ctx = createExecutionContext()
  const response = await app.fetch(
    new Request(`${BASE_URL}/api/jobs?limit=2`, { headers }),
    { ...env, DB: db },
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return { response, trips }
}

const readsSessionOrJobs = (trip: string[]) =>
  trip.some((sql) => /\bFROM (sessions|api_tokens|jobs)\b/.test(sql))

describe('GET /api/jobs', () => {
  it('reads the session and the list in one D1 round trip', async () => {
    const user = await signUp()
    // A queued job would add the dispatch line's read (its place in line): this one has ended.
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    await user.api.cancelJob({ params: { id: job.id } })
    const { response, trips } = await listThroughApp({
      cookie: `${SESSION_COOKIE}=${user.cookie}`,
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { jobs: unknown[] }).jobs).toHaveLength(1)
    expect(trips.filter(readsSessionOrJobs)).toHaveLength(1)
  })

  it('reads an API token and the list in one D1 round trip', async () => {
    const user = await signUp()
    const { token } = await tokenClient(user, ['jobs:read'])
    const { response, trips } = await listThroughApp({ authorization: `Bearer ${token}` })
    expect(response.status).toBe(200)
    expect(trips.filter(readsSessionOrJobs)).toHaveLength(1)
  })

  it('answers the same pages batched as read alone, cursor and status included', async () => {
    const user = await signUp()
    for (let i = 0; i < 3; i++)
      await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const first = await user.api.listJobs({ query: { limit: 2 } })
    const second = await user.api.listJobs({ query: { limit: 2, cursor: first.nextCursor! } })
    expect(first.jobs).toHaveLength(2)
    expect(second.jobs).toHaveLength(1)
    expect(second.nextCursor).toBeNull()
    const { api } = await tokenClient(user, ['jobs:read'])
    const byToken = await api.listJobs({ query: { limit: 2 } })
    expect(byToken.jobs.map((j) => j.id)).toEqual(first.jobs.map((j) => j.id))
    expect(byToken.nextCursor).toBe(first.nextCursor)
    const all = await user.api.listJobs({ query: {} })
    expect(all.jobs.map((j) => j.id)).toEqual([...first.jobs, ...second.jobs].map((j) => j.id))
    const none = await user.api.listJobs({ query: { status: 'completed' } })
    expect(none.jobs).toEqual([])
  })

  it('is sent as built, exactly what its schema parses it to, for jobs in line and ended', async () => {
    expect(sentAsBuilt.has(endpoints.listJobs)).toBe(true)
    const user = await signUp()
    const queued = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const ended = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    await user.api.cancelJob({ params: { id: ended.id } })
    const response = await user.fetch('/api/jobs')
    const text = await response.text()
    const { jobs } = JSON.parse(text) as { jobs: { id: string; queuePosition: number | null }[] }
    expect(jobs.map((j) => j.id)).toEqual([ended.id, queued.id])
    expect(jobs[1]!.queuePosition).toBe(queued.queuePosition)
    expect(text).toBe(JSON.stringify(endpoints.listJobs.response.parse(JSON.parse(text))))
  })

  it('shows another user nothing of these jobs', async () => {
    const owner = await signUp()
    await owner.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const other = await signUp()
    expect((await other.api.listJobs({ query: {} })).jobs).toEqual([])
  })

  it('still refuses a bad cursor, after authentication', async () => {
    const user = await signUp()
    const bad = await user.fetch('/api/jobs?cursor=nonsense')
    expect(bad.status).toBe(400)
    const anonymous = await signUp()
    await anonymous.api.logout()
    expect((await anonymous.fetch('/api/jobs?cursor=nonsense')).status).toBe(401)
  })

  it('is refused at once after sign-out', async () => {
    const user = await signUp()
    await user.api.listJobs({ query: {} })
    const cookie = user.cookie
    await user.api.logout()
    user.cookie = cookie
    expect((await apiError(user.api.listJobs({ query: {} }))).code).toBe('session_expired')
  })

  it('is refused at once after the session is revoked from another device', async () => {
    const user = await signUp()
    await user.api.listJobs({ query: {} })
    const { sessions } = await user.api.listSessions()
    const current = sessions.find((s) => s.current)!
    // The same account signed in elsewhere revokes this device.
    const elsewhere = await signUpAs(user.email)
    await elsewhere.api.revokeSession({ params: { id: current.id } })
    expect((await apiError(user.api.listJobs({ query: {} }))).status).toBe(401)
  })

  it('is refused at once after the API token is revoked', async () => {
    const user = await signUp()
    const { api, id } = await tokenClient(user, ['jobs:read'])
    await api.listJobs({ query: {} })
    await user.api.revokeToken({ params: { id } })
    expect((await apiError(api.listJobs({ query: {} }))).status).toBe(401)
  })

  it('is refused at once after the account is suspended', async () => {
    const admin = await signUpAdmin()
    const user = await signUp()
    const { api } = await tokenClient(user, ['jobs:read'])
    await user.api.listJobs({ query: {} })
    await admin.api.adminUpdateUser({ params: { id: user.userId }, body: { suspended: true } })
    expect((await apiError(user.api.listJobs({ query: {} }))).code).toMatch(
      /account_suspended|session_expired/,
    )
    expect((await apiError(api.listJobs({ query: {} }))).code).toBe('account_suspended')
  })
})

async function signUpAs(email: string) {
  const b = browser()
  await b.api.login({ body: { email, password: PASSWORD } })
  return b
}
