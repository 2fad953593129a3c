import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  callsFor,
  dispatchedJob,
  jobRow,
  magnetFor,
  metadata,
  progress,
  randomInfohash,
  registerAgent,
  waitFor,
  waitForStart,
} from '../../test/pipeline.ts'
import {
  apiError,
  auditRows,
  browser,
  PASSWORD,
  signUp,
  tokenClient,
  type SignedUp,
} from '../../test/helpers.ts'

let admin: SignedUp

beforeAll(async () => {
  admin = await signUp({ email: `admin-${crypto.randomUUID().slice(0, 6)}@example.test` })
  await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(admin.userId).run()
})

describe('admin routes', () => {
  it('answer 403 to a plain user on every admin endpoint', async () => {
    const user = await signUp()
    for (const call of [
      () => user.api.adminListUsers(),
      () => user.api.adminUpdateUser({ params: { id: user.userId }, body: { role: 'admin' } }),
      () => user.api.adminAudit(),
    ]) {
      const error = await apiError(call())
      expect(error.status).toBe(403)
      expect(error.code).toBe('forbidden')
    }
  })

  it('answer 403 to an admin\u2019s API token', async () => {
    const { api } = await tokenClient(admin, ['jobs:read'])
    expect((await apiError(api.adminListUsers())).status).toBe(403)
  })

  it('list and search users with a cursor', async () => {
    const tag = crypto.randomUUID().slice(0, 6)
    for (let i = 0; i < 3; i++) await signUp({ email: `search-${tag}-${i}@example.test` })
    const page1 = await admin.api.adminListUsers({ query: { q: `search-${tag}`, limit: 2 } })
    expect(page1.users).toHaveLength(2)
    const page2 = await admin.api.adminListUsers({
      query: { q: `search-${tag}`, limit: 2, cursor: page1.nextCursor! },
    })
    expect(page2.users).toHaveLength(1)
    expect(page2.nextCursor).toBeNull()
    const emails = [...page1.users, ...page2.users].map((u) => u.email)
    expect(new Set(emails).size).toBe(3)
    const bad = await apiError(admin.api.adminListUsers({ query: { cursor: 'garbage!' } }))
    expect(bad.status).toBe(400)
  })

  it('treat % and _ in a search literally', async () => {
    const { users } = await admin.api.adminListUsers({ query: { q: '%' } })
    expect(users).toHaveLength(0)
  })

  it('change a user\u2019s plan and role, and audit it', async () => {
    const user = await signUp()
    const { user: changed } = await admin.api.adminUpdateUser({
      params: { id: user.userId },
      body: { plan: 'pro' },
    })
    expect(changed.plan).toBe('pro')
    expect((await user.api.me()).plan.id).toBe('pro')
    const [row] = await auditRows('admin.user_updated', user.userId)
    expect(row).toMatchObject({ actor_id: admin.userId, actor_type: 'admin' })
    expect(JSON.parse(row!.meta as string)).toEqual({ plan: 'pro' })
  })

  it('suspend a user: their sessions and tokens stop working, and they cannot sign in', async () => {
    const user = await signUp()
    const { api: tokenApi } = await tokenClient(user, ['jobs:read'])
    await admin.api.adminUpdateUser({ params: { id: user.userId }, body: { suspended: true } })
    expect((await apiError(user.api.me())).status).toBe(401)
    const tokenError = await apiError(tokenApi.me())
    expect(tokenError.status).toBe(403)
    expect(tokenError.code).toBe('account_suspended')
    const login = await apiError(
      browser().api.login({ body: { email: user.email, password: PASSWORD } }),
    )
    expect(login.code).toBe('account_suspended')
    await admin.api.adminUpdateUser({ params: { id: user.userId }, body: { suspended: false } })
    expect((await tokenApi.me()).user.suspended).toBe(false)
  })

  it('refuse to let an admin demote or suspend themselves', async () => {
    const error = await apiError(
      admin.api.adminUpdateUser({ params: { id: admin.userId }, body: { role: 'user' } }),
    )
    expect(error.status).toBe(409)
  })

  it('answer 404 for an unknown user and 400 for an empty change', async () => {
    expect(
      (await apiError(admin.api.adminUpdateUser({ params: { id: 'nope' }, body: { plan: 'pro' } })))
        .status,
    ).toBe(404)
    expect(
      (await apiError(admin.api.adminUpdateUser({ params: { id: admin.userId }, body: {} })))
        .status,
    ).toBe(400)
  })

  it('page through the audit log and filter it by actor and action', async () => {
    const user = await signUp()
    const { entries } = await admin.api.adminAudit({ query: { actorId: user.userId } })
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['user.registered', 'user.aup_accepted']),
    )
    expect(entries.every((e) => e.actorId === user.userId)).toBe(true)
    const page = await admin.api.adminAudit({ query: { action: 'user.registered', limit: 1 } })
    expect(page.entries).toHaveLength(1)
    const next = await admin.api.adminAudit({
      query: { action: 'user.registered', limit: 1, cursor: page.nextCursor! },
    })
    expect(next.entries[0]!.id).toBeLessThan(page.entries[0]!.id)
  })
})

describe('admin job pipeline routes', () => {
  it('answer 403 to a plain user on jobs, blocklist, agents and alerts', async () => {
    const user = await signUp()
    for (const call of [
      () => user.api.adminListJobs(),
      () => user.api.adminListBlocklist(),
      () => user.api.adminAddBlocklist({ body: { infohash: 'a'.repeat(40), reason: 'x' } }),
      () => user.api.adminRemoveBlocklist({ params: { infohash: 'a'.repeat(40) } }),
      () => user.api.adminListAgents(),
      () => user.api.adminListAlerts(),
      () => user.api.adminCancelJob({ params: { id: 'x' }, body: { reason: 'x' } }),
      () => user.api.adminRetryJob({ params: { id: 'x' }, body: { reason: 'x' } }),
      () => user.api.adminDeleteJob({ params: { id: 'x' }, body: { reason: 'x' } }),
    ]) {
      expect((await apiError(call())).status).toBe(403)
    }
  })

  it('list every user\u2019s jobs, filtered by status and user', async () => {
    await registerAgent()
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const { jobs } = await admin.api.adminListJobs({ query: { userId: user.userId } })
    expect(jobs.map((j) => j.id)).toEqual([job.id])
    expect(jobs[0]).toMatchObject({ userId: user.userId })
    const none = await admin.api.adminListJobs({
      query: { userId: user.userId, status: 'completed' },
    })
    expect(none.jobs).toHaveLength(0)
  })

  it('block an info hash with a reason, failing the jobs that have it, and unblock it', async () => {
    await registerAgent()
    const user = await signUp()
    const infohash = randomInfohash()
    const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
    await waitForStart(job.id)
    const entry = await admin.api.adminAddBlocklist({
      body: {
        infohash: infohash.toUpperCase(),
        reason: 'DMCA #7',
        noticeUrl: 'https://notices.example/7',
      },
    })
    expect(entry).toMatchObject({
      infohash,
      reason: 'DMCA #7',
      noticeUrl: 'https://notices.example/7',
    })
    expect(await user.api.getJob({ params: { id: job.id } })).toMatchObject({
      status: 'failed',
      error: { code: 'blocked' },
    })
    await waitFor(
      async () => (await callsFor(job.id)).some((c) => c.path === '/stop'),
      5000,
      '/stop',
    )
    expect((await admin.api.adminListBlocklist()).entries.map((e) => e.infohash)).toContain(
      infohash,
    )
    expect(await auditRows('admin.blocklist_added', infohash)).toHaveLength(1)

    await admin.api.adminRemoveBlocklist({ params: { infohash } })
    expect((await apiError(admin.api.adminRemoveBlocklist({ params: { infohash } }))).status).toBe(
      404,
    )
    expect(
      (await apiError(admin.api.adminAddBlocklist({ body: { infohash: 'xyz', reason: 'x' } })))
        .status,
    ).toBe(400)
  })

  it('show agents with their health and load', async () => {
    const id = await registerAgent(undefined, 7)
    const { agents } = await admin.api.adminListAgents()
    expect(agents.find((a) => a.id === id)).toMatchObject({
      capacity: 7,
      healthy: true,
      version: 'double-1',
    })
  })

  it('cancel another user\u2019s download with a reason the owner reads, and audit it', async () => {
    const { user, job, infohash, agent, params } = await dispatchedJob()
    await agent.send(metadata(infohash))
    await agent.send(progress(20))
    expect((await user.api.getJob(params)).status).toBe('downloading')
    const reason = 'Reported as malware.'
    const cancelled = await admin.api.adminCancelJob({ ...params, body: { reason } })
    expect(cancelled).toMatchObject({ status: 'cancelled', userId: user.userId })
    const error = { code: 'cancelled_by_operator', message: `Cancelled by an operator: ${reason}` }
    expect(await user.api.getJob(params)).toMatchObject({ status: 'cancelled', error })
    const { events } = await user.api.jobHistory(params)
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'status', status: 'cancelled', error }),
    )
    await waitFor(
      async () => (await callsFor(job.id)).some((c) => c.path === '/stop'),
      5000,
      '/stop',
    )
    const [row] = await auditRows('admin.job_cancel', job.id)
    expect(row).toMatchObject({ actor_id: admin.userId, actor_type: 'admin' })
    expect(JSON.parse(row!.meta as string)).toEqual({ reason, ownerId: user.userId })
    const again = await apiError(admin.api.adminCancelJob({ ...params, body: { reason } }))
    expect(again.status).toBe(409)
  })

  it('retry another user\u2019s failed job, telling its owner why', async () => {
    const { user, job, agent, params } = await dispatchedJob()
    await agent.send({ type: 'failed', code: 'no_peers', message: 'None.', retryable: false })
    expect((await user.api.getJob(params)).status).toBe('failed')
    const retried = await admin.api.adminRetryJob({ ...params, body: { reason: 'Agent fixed.' } })
    expect(['queued', 'metadata_fetch']).toContain(retried.status)
    const error = { code: 'retried_by_operator', message: 'Retried by an operator: Agent fixed.' }
    const { events } = await user.api.jobHistory(params)
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'status', status: 'queued', error }),
    )
    await waitForStart(job.id, 2)
    const [row] = await auditRows('admin.job_retry', job.id)
    expect(JSON.parse(row!.meta as string)).toMatchObject({ reason: 'Agent fixed.' })
  })

  it('refuse to retry a job when its owner\u2019s plan has no active slot left', async () => {
    const { user, job, agent, params } = await dispatchedJob()
    await agent.send({ type: 'failed', code: 'no_peers', message: 'None.', retryable: false })
    // Two transfers and ten waiting: all of the Free plan's room.
    for (let i = 0; i < 12; i++)
      await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const error = await apiError(admin.api.adminRetryJob({ ...params, body: { reason: 'Retry.' } }))
    expect(error).toMatchObject({ status: 422, code: 'quota_exceeded', limit: 'active_jobs' })
    expect(await user.api.getJob(params)).toMatchObject({ status: 'failed' })
    expect(await auditRows('admin.job_retry', job.id)).toHaveLength(0)
  })

  it('delete another user\u2019s job with a reason kept in the audit log', async () => {
    const { user, job, infohash, params } = await dispatchedJob()
    await admin.api.adminDeleteJob({ ...params, body: { reason: 'Court order 12.' } })
    expect((await apiError(user.api.getJob(params))).status).toBe(404)
    await waitFor(
      async () => (await callsFor(job.id)).some((c) => c.path === '/stop'),
      5000,
      '/stop',
    )
    const [row] = await auditRows('admin.job_deleted', job.id)
    expect(JSON.parse(row!.meta as string)).toEqual({
      reason: 'Court order 12.',
      ownerId: user.userId,
      infohash,
    })
    const gone = await apiError(admin.api.adminDeleteJob({ ...params, body: { reason: 'x' } }))
    expect(gone.status).toBe(404)
  })

  it('refuse a job action without a reason, or with one over 500 characters', async () => {
    const { params } = await dispatchedJob()
    for (const body of [{}, { reason: ' ' }, { reason: 'x'.repeat(501) }]) {
      const error = await apiError(admin.api.adminCancelJob({ ...params, body: body as never }))
      expect(error.status).toBe(400)
      expect(
        (await apiError(admin.api.adminDeleteJob({ ...params, body: body as never }))).status,
      ).toBe(400)
    }
    expect((await jobRow(params.params.id))!.status).not.toBe('cancelled')
  })
})
