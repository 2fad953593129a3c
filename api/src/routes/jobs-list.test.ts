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
  type SignedUp,
} from '../../test/helpers.ts'
import {
  agentSide,
  completed,
  jobRow,
  magnetFor,
  metadata,
  randomInfohash,
  registerAgent,
  sleep,
  waitFor,
  waitForStart,
} from '../../test/pipeline.ts'
import { endpoints } from '@tseeder/shared'
import { captureMetrics } from '../../test/metrics.ts'
import { app } from '../app.ts'
import { forgetReads, userSessions } from '../durable/user-session.ts'
import { sha256Hex } from '../lib/crypto.ts'
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
  it('reads the session and the list in one D1 round trip, then in none', async () => {
    const user = await signUp()
    // A queued job would add the dispatch line's read (its place in line): this one has ended.
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    await user.api.cancelJob({ params: { id: job.id } })
    // A session this isolate has not seen yet is looked up in D1, with the list.
    const again = await signUpAs(user.email)
    const capture = captureMetrics()
    try {
      const first = await listThroughApp({ cookie: `${SESSION_COOKIE}=${again.cookie}` })
      expect(first.response.status).toBe(200)
      expect(((await first.response.json()) as { jobs: unknown[] }).jobs).toHaveLength(1)
      expect(first.trips.filter(readsSessionOrJobs)).toHaveLength(1)
      // Then the user's object answers: the Worker makes no D1 round trip.
      for (let i = 0; i < 3; i++) {
        const kept = await listThroughApp({ cookie: `${SESSION_COOKIE}=${again.cookie}` })
        expect(kept.response.status).toBe(200)
        expect(((await kept.response.json()) as { jobs: unknown[] }).jobs).toHaveLength(1)
        expect(kept.trips.filter(readsSessionOrJobs)).toHaveLength(0)
      }
      // The Worker's read, then the object's first (it had kept nothing): the other two were kept.
      expect(capture.of('list_read')).toHaveLength(2)
    } finally {
      capture.stop()
    }
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
    // Twice: the second answer is kept by the user's object (see below).
    await api.listJobs({ query: {} })
    await api.listJobs({ query: {} })
    await user.api.revokeToken({ params: { id } })
    expect((await apiError(api.listJobs({ query: {} }))).status).toBe(401)
  })

  it('is refused at once after the account is suspended', async () => {
    const admin = await signUpAdmin()
    const user = await signUp()
    const { api } = await tokenClient(user, ['jobs:read'])
    await user.api.listJobs({ query: {} })
    await api.listJobs({ query: {} })
    await api.listJobs({ query: {} })
    await admin.api.adminUpdateUser({ params: { id: user.userId }, body: { suspended: true } })
    expect((await apiError(user.api.listJobs({ query: {} }))).code).toMatch(
      /account_suspended|session_expired/,
    )
    expect((await apiError(api.listJobs({ query: {} }))).code).toBe('account_suspended')
  })
})

describe("GET /api/jobs kept by the user's object", () => {
  const names = async (user: SignedUp) =>
    (await user.api.listJobs({ query: {} })).jobs.map((j) => `${j.name} ${j.status}`)

  it('answers what it read until told of a change, then reads again', async () => {
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash(), 'old') } })
    await user.api.cancelJob({ params: { id: job.id } })
    const capture = captureMetrics()
    try {
      expect(await names(user)).toEqual(['old cancelled'])
      // A write no writer announced (only a test does this): the kept page is still answered...
      await env.DB.prepare('UPDATE jobs SET name = ? WHERE id = ?').bind('new', job.id).run()
      expect(await names(user)).toEqual(['old cancelled'])
      // ...until the object hears of a change, as it does from every writer of the user's jobs.
      await forgetReads(env, user.userId)
      expect(await names(user)).toEqual(['new cancelled'])
      expect(await names(user)).toEqual(['new cancelled'])
      // Four answers, two of them read from D1 (by the user's object): one point each.
      expect(capture.of('list_read').map((p) => p.via)).toEqual(['session', 'session'])
    } finally {
      capture.stop()
    }
  })

  it('is read again after each change made by the user and by the pipeline', async () => {
    // Room for the jobs this file's other tests left in line ahead of this one.
    await registerAgent(undefined, 100)
    const user = await signUp()
    expect(await names(user)).toEqual([])
    const infohash = randomInfohash()
    const job = await user.api.createJob({ body: { magnet: magnetFor(infohash, 'demo') } })
    expect((await user.api.listJobs({ query: {} })).jobs.map((j) => j.id)).toEqual([job.id])
    const { agentId } = await waitForStart(job.id)
    const agent = agentSide(job.id, agentId)
    await agent.send(metadata(infohash))
    await waitFor(async () => (await names(user))[0] === 'demo downloading', 5_000, 'downloading')
    // A job in line is read again whenever it is listed (its place): a second job, created now,
    // has the page kept while the first is downloading, so only the first's writer can renew it.
    const second = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash(), 'b') } })
    await user.api.cancelJob({ params: { id: second.id } })
    expect(await names(user)).toEqual(['b cancelled', 'demo downloading'])
    expect(await names(user)).toEqual(['b cancelled', 'demo downloading'])
    await agent.send(completed(infohash))
    await waitFor(
      async () => {
        const shown = (await user.api.listJobs({ query: {} })).jobs[1]
        return shown?.status === 'completed' && shown.availableFiles === 2
      },
      5_000,
      'completed with its files in the list',
    )
    const shown = (await user.api.listJobs({ query: {} })).jobs[1]!
    expect(shown.bytesDownloaded).toBe((await jobRow(job.id))!.bytes_downloaded)
    await user.api.deleteJob({ params: { id: job.id } })
    expect(await names(user)).toEqual(['b cancelled'])
  })

  it('ends a kept session when it expires', async () => {
    const user = await signUp()
    await env.DB.prepare('UPDATE sessions SET expires_at = ? WHERE user_id = ?')
      .bind(Date.now() + 1_500, user.userId)
      .run()
    // Each new credential is first looked up in D1 by the Worker; then its user's object keeps it.
    expect((await user.fetch('/api/jobs')).status).toBe(200)
    expect((await user.fetch('/api/jobs')).status).toBe(200)
    expect((await user.fetch('/api/jobs')).status).toBe(200)
    await sleep(1_600)
    expect((await apiError(user.api.listJobs({ query: {} }))).code).toBe('session_expired')
  })

  it('sees the acceptable use policy accepted, and a suspension lifted', async () => {
    const admin = await signUpAdmin()
    const user = await signUp({ acceptAup: false })
    for (let i = 0; i < 3; i++) expect((await user.fetch('/api/jobs')).status).toBe(403)
    await user.api.acceptAup({ body: { accept: true } })
    expect((await user.fetch('/api/jobs')).status).toBe(200)
    const { api } = await tokenClient(user, ['jobs:read'])
    for (let i = 0; i < 3; i++) await api.listJobs({ query: {} })
    await admin.api.adminUpdateUser({ params: { id: user.userId }, body: { suspended: true } })
    expect((await apiError(api.listJobs({ query: {} }))).code).toBe('account_suspended')
    expect((await apiError(api.listJobs({ query: {} }))).code).toBe('account_suspended')
    await admin.api.adminUpdateUser({ params: { id: user.userId }, body: { suspended: false } })
    expect((await api.listJobs({ query: {} })).jobs).toEqual([])
  })

  it('never answers a credential for another user than its own', async () => {
    const owner = await signUp()
    await owner.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const other = await signUp()
    const credential = { via: 'session' as const, hash: await sha256Hex(owner.cookie!) }
    // The owner's credential, asked of the other user's object (the Worker never does this).
    const read = await userSessions(env, other.userId).readJobs(other.userId, credential, {
      limit: 50,
    })
    expect(read).toEqual({ row: null, page: null })
  })
})

async function signUpAs(email: string) {
  const b = browser()
  await b.api.login({ body: { email, password: PASSWORD } })
  return b
}
