import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { Hono } from 'hono'
import type { DispatchMessage } from '@tseeder/shared'
import { beforeEach, describe, expect, it } from 'vitest'
import worker from '../index.ts'
import { jobProgress, type JobProgressDO } from '../durable/job-progress.ts'
import { MINUTE } from '../lib/time.ts'
import { signUpAdmin, type SignedUp } from '../../test/helpers.ts'
import type { ReceivedAlert } from '../../test/alert-receiver.ts'
import {
  dispatchedJob,
  followedDownload,
  magnetFor,
  randomInfohash,
  waitFor,
} from '../../test/pipeline.ts'
import { signUp } from '../../test/helpers.ts'
import { RESOLVED_ALERT_RETENTION_MS, runAlertStep } from './alert-step.ts'
import { CRONS } from '../jobs/maintenance.ts'
import { countApiRequests } from './request-counter.ts'
import { sumRequestCounts } from '../db/alert-facts.ts'
import type { AppEnv } from '../env.ts'

const receiver = new URL(env.ALERT_WEBHOOK_URL).origin

async function received(key: string): Promise<ReceivedAlert[]> {
  return (await fetch(`${receiver}/_received?key=${encodeURIComponent(key)}`)).json()
}

async function failNext(key: string, times: number) {
  await fetch(`${receiver}/_fail?key=${encodeURIComponent(key)}&times=${times}`)
}

/** An agent row as its heartbeats leave it (no agent process needed for the rules). */
async function agentRow(fields: { heartbeatAt: number; activeJobs?: number; draining?: boolean }) {
  const id = `agent-${crypto.randomUUID().slice(0, 8)}`
  await env.DB.prepare(
    `INSERT INTO agents (id, url, capacity, active_jobs, free_disk_bytes, version, last_heartbeat_at, created_at, draining)
     VALUES (?, 'http://127.0.0.1:1/', 4, ?, 1e9, 'test', ?, ?, ?)`,
  )
    .bind(
      id,
      fields.activeJobs ?? 0,
      fields.heartbeatAt,
      fields.heartbeatAt,
      fields.draining ? 1 : 0,
    )
    .run()
  return id
}

async function alertRows(key: string) {
  const { results } = await env.DB.prepare(
    'SELECT id, severity, resolved_at FROM alerts WHERE dedup_key = ? ORDER BY id',
  )
    .bind(key)
    .all<{ id: number; severity: string; resolved_at: number | null }>()
  return results
}

let admin: SignedUp
beforeEach(async () => {
  admin ??= await signUpAdmin()
})

describe('alerts', () => {
  it('deliver an opening once while the condition holds, signed, and one resolution when it clears', async () => {
    const agentId = await agentRow({ heartbeatAt: Date.now(), draining: true })
    const key = `agent_draining:${agentId}`
    for (let i = 0; i < 3; i++) await runAlertStep(env)

    expect(await received(key)).toEqual([
      expect.objectContaining({ event: 'opened', severity: 'info', validSignature: true }),
    ])
    expect((await received(key))[0]!.text).toMatch(/\[INFO\] agent_draining: Agent .* is draining/)
    expect(await alertRows(key)).toHaveLength(1)

    await env.DB.prepare('UPDATE agents SET draining = 0 WHERE id = ?').bind(agentId).run()
    for (let i = 0; i < 2; i++) await runAlertStep(env)
    const events = await received(key)
    expect(events.map((e) => e.event)).toEqual(['opened', 'resolved'])
    expect(events.every((e) => e.validSignature)).toBe(true)
    expect(events[1]!.runbook).toBe('OBSERVABILITY.md#draining-agent')

    const { alerts, webhookConfigured } = await admin.api.adminListAlerts()
    expect(webhookConfigured).toBe(true)
    expect(alerts.find((a) => a.key === key)).toMatchObject({
      severity: 'info',
      runbook: 'OBSERVABILITY.md#draining-agent',
      resolvedAt: expect.any(String),
      deliveries: [
        expect.objectContaining({ event: 'opened', status: 'delivered', attempts: 1 }),
        expect.objectContaining({ event: 'resolved', status: 'delivered', attempts: 1 }),
      ],
    })
  })

  it('retry a delivery the receiver refused, after a backoff, and show why it is pending', async () => {
    const agentId = await agentRow({ heartbeatAt: Date.now() - 10 * MINUTE, activeJobs: 2 })
    const key = `agent_stale:${agentId}`
    await failNext(key, 1)
    const now = Date.now()
    await runAlertStep(env, now)
    expect(await received(key)).toEqual([])
    const pending = (await admin.api.adminListAlerts()).alerts.find((a) => a.key === key)
    expect(pending).toMatchObject({
      severity: 'critical',
      resolvedAt: null,
      deliveries: [
        {
          event: 'opened',
          status: 'pending',
          attempts: 1,
          lastError: expect.stringMatching(/answered 500/),
        },
      ],
    })

    await runAlertStep(env, now + 1000)
    expect(await received(key)).toEqual([])
    await runAlertStep(env, now + MINUTE + 1000)
    expect(await received(key)).toEqual([
      expect.objectContaining({ event: 'opened', severity: 'critical', validSignature: true }),
    ])
    expect(await alertRows(key)).toHaveLength(1)
  })

  it('alert on the line waiting past its SLO, fleet storage at its level and the API error rate', async () => {
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    await env.DB.prepare("UPDATE jobs SET status = 'queued', queued_at = ? WHERE id = ?")
      .bind(Date.now() - 20 * MINUTE, job.id)
      .run()
    await env.DB.prepare('UPDATE usage SET storage_bytes = 5000 WHERE user_id = ?')
      .bind(user.userId)
      .run()
    await env.DB.prepare(
      `INSERT INTO api_request_counts (minute, requests, errors) VALUES (?, 100, 7)
       ON CONFLICT (minute) DO UPDATE SET requests = requests + 100, errors = errors + 7`,
    )
      .bind(Math.floor(Date.now() / MINUTE))
      .run()
    const configured = {
      ...env,
      ALERT_QUEUE_WAIT_SECONDS: '600',
      ALERT_FLEET_STORAGE_BYTES: '4000',
    }
    await runAlertStep(configured)

    for (const key of ['queue_wait:line', 'fleet_storage:fleet', 'api_error_rate:api'])
      expect(await received(key), key).toEqual([expect.objectContaining({ event: 'opened' })])
    expect((await received('api_error_rate:api'))[0]!.text).toMatch(/\b7 of \d+ \/api\/\* requests/)

    await env.DB.prepare("UPDATE jobs SET status = 'cancelled' WHERE id = ?").bind(job.id).run()
    await env.DB.prepare('DELETE FROM api_request_counts').run()
    await runAlertStep(configured)
    expect((await received('queue_wait:line')).map((e) => e.event)).toEqual(['opened', 'resolved'])
    expect((await received('api_error_rate:api')).map((e) => e.event)).toEqual([
      'opened',
      'resolved',
    ])
    expect((await received('fleet_storage:fleet')).map((e) => e.event)).toEqual(['opened'])
  })

  it('deliver a dead-lettered notice as it happens, and resolve it when the job leaves the line', async () => {
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    await env.DB.prepare("UPDATE jobs SET status = 'queued' WHERE id = ?").bind(job.id).run()
    const message: DispatchMessage = { type: 'dispatch', jobId: job.id, key: 'k' }
    for (let i = 0; i < 2; i++) {
      const batch = createMessageBatch('tseeder-jobs-dlq', [
        { id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: message },
      ])
      const ctx = createExecutionContext()
      await worker.queue(batch, env, ctx)
      await getQueueResult(batch, ctx)
    }
    const key = `dispatch_dead_lettered:${job.id}`
    expect(await received(key)).toEqual([
      expect.objectContaining({ event: 'opened', severity: 'warning', validSignature: true }),
    ])
    await runAlertStep(env)
    expect(await received(key)).toHaveLength(1)

    await env.DB.prepare("UPDATE jobs SET status = 'downloading' WHERE id = ?").bind(job.id).run()
    await runAlertStep(env)
    expect((await received(key)).map((e) => e.event)).toEqual(['opened', 'resolved'])
  })

  it('alert when a job fails after its last attempt on a retryable agent failure, until it is retried', async () => {
    const { job, agent, user, params } = await dispatchedJob()
    await runInDurableObject(jobProgress(env, job.id), (instance: JobProgressDO) => {
      ;(instance as unknown as { state: { tries: number } }).state.tries = 5
    })
    const answer = await agent.send({
      type: 'failed',
      code: 'stalled',
      message: 'No data for ten minutes.',
      retryable: true,
    })
    expect(answer.status).toBe(200)
    expect((await user.api.getJob(params)).status).toBe('failed')
    const key = `job_gave_up:${job.id}`
    const [opened] = await waitFor(async () => {
      const events = await received(key)
      return events.length ? events : null
    })
    expect(opened).toMatchObject({ event: 'opened', severity: 'warning', validSignature: true })
    expect(opened!.text).toMatch(/stalled.*Gave up after 5 attempts/)

    await user.api.retryJob(params)
    await runAlertStep(env)
    expect((await received(key)).map((e) => e.event)).toEqual(['opened', 'resolved'])
  })

  it('alert once for a leader that gave up, not again for each follower that mirrors it', async () => {
    const { leader, follower, agent, bob } = await followedDownload()
    await runInDurableObject(jobProgress(env, leader.id), (instance: JobProgressDO) => {
      ;(instance as unknown as { state: { tries: number } }).state.tries = 5
    })
    await agent.send({ type: 'failed', code: 'stalled', message: 'No data.', retryable: true })
    await waitFor(async () => (await received(`job_gave_up:${leader.id}`)).length > 0)
    await waitFor(
      async () => (await bob.api.getJob({ params: { id: follower.id } })).status === 'failed',
    )
    const rows = await env.DB.prepare(
      "SELECT dedup_key FROM alerts WHERE kind = 'job_gave_up' AND job_id IN (?, ?)",
    )
      .bind(leader.id, follower.id)
      .all<{ dedup_key: string }>()
    expect(rows.results.map((r) => r.dedup_key)).toEqual([`job_gave_up:${leader.id}`])
  })

  it('run from the every-minute cron, and forget alerts resolved long ago in the daily one', async () => {
    const agentId = await agentRow({ heartbeatAt: Date.now(), draining: true })
    const key = `agent_draining:${agentId}`
    const cron = async (name: string, at = Date.now()) => {
      const ctx = createExecutionContext()
      await worker.scheduled(createScheduledController({ cron: name, scheduledTime: at }), env, ctx)
      await waitOnExecutionContext(ctx)
    }
    await cron(CRONS.frequent)
    expect((await received(key)).map((e) => e.event)).toEqual(['opened'])

    await env.DB.prepare('UPDATE agents SET draining = 0 WHERE id = ?').bind(agentId).run()
    await cron(CRONS.frequent)
    expect(await alertRows(key)).toEqual([
      expect.objectContaining({ resolved_at: expect.any(Number) }),
    ])
    await cron(CRONS.daily)
    expect(await alertRows(key)).toHaveLength(1)
    await env.DB.prepare('UPDATE alerts SET resolved_at = ? WHERE dedup_key = ?')
      .bind(Date.now() - RESOLVED_ALERT_RETENTION_MS - 1, key)
      .run()
    await cron(CRONS.daily)
    expect(await alertRows(key)).toEqual([])
  })

  it('count /api/* answers and the 5xx among them, thrown errors too, in D1', async () => {
    const app = new Hono<AppEnv>()
    app.use('/api/*', countApiRequests())
    app.get('/api/boom', () => {
      throw new Error('boom')
    })
    app.onError((_error, c) => c.json({ error: { code: 'internal_error', message: 'x' } }, 500))
    const before = await sumRequestCounts(env.DB, 0)
    const ctx = createExecutionContext()
    expect((await app.request('/api/boom', {}, env, ctx)).status).toBe(500)
    await waitOnExecutionContext(ctx)
    const after = await sumRequestCounts(env.DB, 0)
    // Other requests of this file may flush meanwhile; none of them answered 5xx.
    expect(after.errors - before.errors).toBe(1)
    expect(after.requests - before.requests).toBeGreaterThanOrEqual(1)
  })
})
