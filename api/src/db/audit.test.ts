import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import worker from '../index.ts'
import {
  apiError,
  auditRows,
  browser,
  PASSWORD,
  signUp,
  signUpAdmin,
  tokenClient,
} from '../../test/helpers.ts'
import {
  agentRequest,
  dispatchedJob,
  doubleUrl,
  jobRow,
  magnetFor,
  metadata,
  randomInfohash,
  registerAgent,
  waitFor,
} from '../../test/pipeline.ts'

/**
 * Makes D1 refuse the audit row of `action`: a change batched with its audit row must then not
 * happen either, which is what "in the same batch" means.
 */
async function refuseAudit(action: string) {
  await env.DB.prepare(
    `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_logs WHEN NEW.action = '${action}'
     BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END`,
  ).run()
}

afterEach(async () => {
  await env.DB.prepare('DROP TRIGGER IF EXISTS refuse_audit').run()
})

describe('audit rows in the same batch as the change', () => {
  it('revokes a token only together with its audit row, once', async () => {
    const user = await signUp()
    const { api, id } = await tokenClient(user, ['jobs:read'])
    await refuseAudit('token.revoked')
    expect((await apiError(user.api.revokeToken({ params: { id } }))).status).toBe(500)
    expect(await api.listJobs({ query: {} })).toBeTruthy()
    await env.DB.prepare('DROP TRIGGER refuse_audit').run()
    await user.api.revokeToken({ params: { id } })
    expect((await apiError(user.api.revokeToken({ params: { id } }))).status).toBe(404)
    expect(await auditRows('token.revoked', id)).toHaveLength(1)
  })

  it('revokes a session and signs out only together with their audit rows', async () => {
    const user = await signUp()
    const other = browser()
    await other.api.login({ body: { email: user.email, password: PASSWORD } })
    const target = (await user.api.listSessions()).sessions.find((s) => !s.current)!
    await refuseAudit('session.revoked')
    expect((await apiError(user.api.revokeSession({ params: { id: target.id } }))).status).toBe(500)
    expect((await other.api.me()).user.email).toBe(user.email)

    await env.DB.prepare('DROP TRIGGER refuse_audit').run()
    await refuseAudit('session.logout')
    expect((await apiError(other.api.logout())).status).toBe(500)
    expect((await other.api.me()).user.email).toBe(user.email)
    await env.DB.prepare('DROP TRIGGER refuse_audit').run()
    await other.api.logout()
    expect(await auditRows('session.logout', target.id)).toHaveLength(1)
    expect((await apiError(user.api.revokeSession({ params: { id: target.id } }))).status).toBe(404)
    expect(await auditRows('session.revoked', target.id)).toHaveLength(0)
  })

  it('audits the session a sign-in replaces in the same browser, as the system', async () => {
    const user = await signUp()
    const [before] = (await user.api.listSessions()).sessions
    await user.api.login({ body: { email: user.email, password: PASSWORD } })
    const [row] = await auditRows('session.replaced', before!.id)
    expect(row).toMatchObject({ actor_type: 'system', target_type: 'session' })
    expect(JSON.parse(row!.meta as string)).toMatchObject({
      userId: user.userId,
      reason: 'relogin',
    })
    const [now] = (await user.api.listSessions()).sessions
    expect(now!.id).not.toBe(before!.id)
  })

  it('creates a job only together with its audit row', async () => {
    const user = await signUp()
    const magnet = magnetFor(randomInfohash())
    await refuseAudit('job.created')
    expect((await apiError(user.api.createJob({ body: { magnet } }))).status).toBe(500)
    expect((await user.api.listJobs({ query: {} })).jobs).toEqual([])
    await env.DB.prepare('DROP TRIGGER refuse_audit').run()
    const job = await user.api.createJob({ body: { magnet } })
    const [row] = await auditRows('job.created', job.id)
    expect(JSON.parse(row!.meta as string)).toMatchObject({ mode: 'new' })
  })

  it('applies a job action only together with its audit row (the job object batches it)', async () => {
    const { user, job, agent, params } = await dispatchedJob()
    await agent.send(metadata(job.infohash))
    await refuseAudit('job.pause')
    expect((await apiError(user.api.pauseJob(params))).status).toBe(500)
    expect((await jobRow(job.id))!.status).toBe('downloading')
    expect(await auditRows('job.pause', job.id)).toHaveLength(0)
  })

  it('applies an operator’s job action only together with its audit row', async () => {
    const { job, agent, params } = await dispatchedJob()
    await agent.send(metadata(job.infohash))
    const admin = await signUpAdmin()
    await refuseAudit('admin.job_cancel')
    const error = await apiError(
      admin.api.adminCancelJob({ ...params, body: { reason: 'Abuse.' } }),
    )
    expect(error.status).toBe(500)
    expect((await jobRow(job.id))!.status).toBe('downloading')
  })

  it('audits each dispatch as the system, with the agent and the attempt', async () => {
    const { job, agentId } = await dispatchedJob()
    // The agent hears /start before the job object records the dispatch: wait for the record.
    const [row] = await waitFor(
      async () => {
        const rows = await auditRows('job.dispatched', job.id)
        return rows.length ? rows : null
      },
      5000,
      'the job.dispatched audit row',
    )
    expect(row).toMatchObject({ actor_type: 'system', actor_id: null, target_type: 'job' })
    expect(JSON.parse(row!.meta as string)).toEqual({ agentId, attempt: 1 })
  })

  it('audits a dead-lettered dispatch notice', async () => {
    const { job } = await dispatchedJob()
    await waitFor(
      async () => (await jobRow(job.id))!.status === 'metadata_fetch',
      5000,
      'the dispatch recorded',
    )
    const batch = createMessageBatch('tseeder-jobs-dlq', [
      {
        id: crypto.randomUUID(),
        timestamp: new Date(),
        attempts: 1,
        body: { type: 'dispatch', jobId: job.id, key: job.id },
      },
    ])
    const ctx = createExecutionContext()
    await worker.queue(batch, env, ctx)
    await getQueueResult(batch, ctx)
    const [row] = await auditRows('job.dispatch_dead_lettered', job.id)
    expect(row).toMatchObject({ actor_type: 'system' })
    expect(JSON.parse(row!.meta as string)).toMatchObject({ status: 'metadata_fetch' })
  })

  it('audits an agent’s first heartbeat as its registration, and a move to another URL', async () => {
    const id = await registerAgent()
    await registerAgent(id)
    const [registered, ...again] = await auditRows('agent.registered', id)
    expect(again).toEqual([])
    expect(registered).toMatchObject({ actor_type: 'system', target_type: 'agent' })
    expect(JSON.parse(registered!.meta as string)).toMatchObject({ capacity: 4 })
    expect(await auditRows('agent.url_changed', id)).toEqual([])
    const moved = `${doubleUrl()}/agents/${id}/moved/`
    const response = await agentRequest(id, '/internal/agents/heartbeat', {
      agentId: id,
      url: moved,
      capacity: 4,
      activeJobs: 0,
      freeDiskBytes: 100e9,
      version: 'double-1',
    })
    expect(response.status).toBe(200)
    const [changed] = await auditRows('agent.url_changed', id)
    expect(JSON.parse(changed!.meta as string)).toMatchObject({ url: moved })
  })
})
