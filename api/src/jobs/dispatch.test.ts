import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import worker from '../index.ts'
import { jobProgress, type JobProgressDO } from '../durable/job-progress.ts'
import type { DispatchMessage } from '@tseeder/shared'
import { backoffSeconds, MAX_ATTEMPTS } from '../queue/dispatch-queue.ts'
import { signUp } from '../../test/helpers.ts'
import {
  agentSide,
  magnetFor,
  metadata,
  openStream,
  randomInfohash,
  registerAgent,
  waitFor,
  waitForStart,
} from '../../test/pipeline.ts'

async function deliver(message: DispatchMessage, attempts: number) {
  const batch = createMessageBatch<DispatchMessage>('tseeder-jobs', [
    { id: crypto.randomUUID(), timestamp: new Date(), attempts, body: message },
  ])
  const retry = vi.spyOn(batch.messages[0]!, 'retry')
  const ctx = createExecutionContext()
  await worker.queue(batch, env, ctx)
  return {
    ...(await getQueueResult(batch, ctx)),
    retryOptions: retry.mock.calls.map(([options]) => options),
  }
}

async function withoutAgents<T>(run: () => Promise<T>): Promise<T> {
  await env.DB.prepare('UPDATE agents SET last_heartbeat_at = 0').run()
  return run()
}

/** A user's new magnet job while no agent is healthy, and its dispatch message. */
async function jobWithoutAgents() {
  const user = await signUp()
  const job = await withoutAgents(() =>
    user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } }),
  )
  const message: DispatchMessage = {
    type: 'dispatch',
    jobId: job.id,
    key: `${job.infohash}:${user.userId}`,
  }
  return { user, job, message }
}

describe('dispatch', () => {
  it('backs off 15 s, 30 s, 60 s, … and never more than 10 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(backoffSeconds)).toEqual([
      15, 30, 60, 120, 240, 480, 600, 600,
    ])
  })

  it('retries with that backoff while no agent is free, then fails the job and dead-letters it', async () => {
    const { user, job, message } = await jobWithoutAgents()
    for (let attempts = 1; attempts < MAX_ATTEMPTS; attempts++) {
      const result = await withoutAgents(() => deliver(message, attempts))
      expect(result.retryMessages).toHaveLength(1)
      expect(result.retryOptions).toEqual([{ delaySeconds: backoffSeconds(attempts) }])
      expect(await user.api.getJob({ params: { id: job.id } })).toMatchObject({
        status: 'queued',
        error: { code: 'no_agent' },
      })
    }
    const last = await withoutAgents(() => deliver(message, MAX_ATTEMPTS))
    expect(last.retryMessages).toHaveLength(1)
    expect(await user.api.getJob({ params: { id: job.id } })).toMatchObject({
      status: 'failed',
      error: { code: 'no_agent' },
    })

    const dead = createMessageBatch<DispatchMessage>('tseeder-jobs-dlq', [
      { id: 'dead', timestamp: new Date(), attempts: 1, body: message },
    ])
    const ctx = createExecutionContext()
    await worker.queue(dead, env, ctx)
    expect((await getQueueResult(dead, ctx)).explicitAcks).toEqual(['dead'])
    const alert = await env.DB.prepare('SELECT kind, message FROM alerts WHERE job_id = ?')
      .bind(job.id)
      .first()
    expect(alert).toMatchObject({ kind: 'dispatch_dead_lettered' })
  })

  it('alerts at once when the job’s budget runs out before the queue’s last delivery', async () => {
    const { user, job, message } = await jobWithoutAgents()
    await withoutAgents(() => deliver(message, 1))
    // Tries spent by earlier messages (re-queues after stale agents): one try is left.
    await runInDurableObject(jobProgress(env, job.id), (instance: JobProgressDO, state) => {
      const stored = state.storage.kv.get<Record<string, unknown>>('state')!
      state.storage.kv.put('state', {
        ...stored,
        tries: MAX_ATTEMPTS - 1,
        triesBefore: MAX_ATTEMPTS - 1,
      })
      ;(instance as unknown as { state: unknown }).state = null
    })

    const result = await withoutAgents(() => deliver(message, 1))
    expect(result.retryMessages).toHaveLength(0)
    expect(result.explicitAcks).toHaveLength(1)
    expect(await user.api.getJob({ params: { id: job.id } })).toMatchObject({
      status: 'failed',
      error: { code: 'no_agent' },
    })
    const alert = await env.DB.prepare('SELECT kind, message FROM alerts WHERE job_id = ?')
      .bind(job.id)
      .first()
    expect(alert).toMatchObject({ kind: 'dispatch_gave_up' })
  })

  it('acknowledges a malformed message instead of failing on it', async () => {
    const result = await deliver({ type: 'dispatch', jobId: 42 } as unknown as DispatchMessage, 1)
    expect(result.explicitAcks).toHaveLength(1)
    expect(result.retryMessages).toHaveLength(0)
  })

  it('acknowledges a message for a job that no longer needs dispatching', async () => {
    const result = await deliver({ type: 'dispatch', jobId: 'gone', key: 'x' }, 1)
    expect(result.explicitAcks).toHaveLength(1)
  })

  it('spreads jobs over agents, least loaded first', async () => {
    await env.DB.prepare('UPDATE agents SET last_heartbeat_at = 0').run()
    const a = await registerAgent(undefined, 2)
    const b = await registerAgent(undefined, 2)
    const user = await signUp()
    await env.DB.prepare("UPDATE users SET plan_id = 'pro' WHERE id = ?").bind(user.userId).run()
    const jobs = [
      await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } }),
      await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } }),
    ]
    const agents = await Promise.all(jobs.map(async (j) => (await waitForStart(j.id)).agentId))
    expect(new Set(agents)).toEqual(new Set([a, b]))
  })
})

describe('the stale-agent watchdog', () => {
  it('re-queues a job whose agent went silent for 30 s, counting an attempt, and another agent gets it', async () => {
    await registerAgent()
    const user = await signUp()
    const infohash = randomInfohash()
    const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const first = await waitForStart(job.id)
    await agentSide(job.id, first.agentId).send(metadata(infohash))
    const stream = openStream(user, `/api/jobs/${job.id}/events`)
    await stream.ready

    await env.DB.prepare('UPDATE agents SET last_heartbeat_at = 0 WHERE id = ?')
      .bind(first.agentId)
      .run()
    await registerAgent()
    const stub = jobProgress(env, job.id)
    await runInDurableObject(stub, (instance: JobProgressDO) => {
      const state = (instance as unknown as { state: { lastHeartbeat: number } }).state
      state.lastHeartbeat = Date.now() - 31_000
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    await stream.until((e) => e.type === 'error' && e.code === 'worker_stale', 'worker_stale event')
    await stream.until((e) => e.type === 'status' && e.status === 'queued', 'queued')

    const second = await waitForStart(job.id, 2)
    expect(second.agentId).not.toBe(first.agentId)
    await waitFor(
      async () => (await user.api.getJob({ params: { id: job.id } })).status === 'metadata_fetch',
    )
    stream.close()
  })
})
