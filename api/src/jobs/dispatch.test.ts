import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import worker from '../index.ts'
import { jobProgress, type JobProgressDO } from '../durable/job-progress.ts'
import { withPlaceInLine } from '../db/dispatch-line.ts'
import { getJobRow } from '../db/jobs.ts'
import type { DispatchMessage } from '@tseeder/shared'
import { backoffSeconds, dispatchLine, MAX_ATTEMPTS } from '../queue/dispatch-queue.ts'
import { CRONS } from './maintenance.ts'
import { signUp } from '../../test/helpers.ts'
import { captureMetrics } from '../../test/metrics.ts'
import {
  agentSide,
  callsFor,
  doubleUrl,
  magnetFor,
  metadata,
  openStream,
  randomInfohash,
  registerAgent,
  sleep,
  waitFor,
  waitForStart,
} from '../../test/pipeline.ts'

async function deliver(message: DispatchMessage, attempts: number, queue = 'tseeder-jobs') {
  const batch = createMessageBatch<DispatchMessage>(queue, [
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

/** No agent has room, and nobody else's job waits in line: each test starts from an empty line. */
async function emptyFleet() {
  await env.DB.prepare('UPDATE agents SET last_heartbeat_at = 0').run()
  await env.DB.prepare(
    "UPDATE jobs SET status = 'cancelled' WHERE status IN ('submitted', 'queued')",
  ).run()
}

/** An agent that answers 500 to every call: an agent error. */
async function registerBrokenAgent() {
  const id = `agent-${crypto.randomUUID().slice(0, 8)}`
  await fetch(`${doubleUrl()}/_fail?agent=${id}&on=1`)
  return registerAgent(id)
}

async function queuedAt(jobId: string) {
  return (await env.DB.prepare('SELECT queued_at, not_before FROM jobs WHERE id = ?')
    .bind(jobId)
    .first<{ queued_at: number; not_before: number }>())!
}

describe('the dispatch line', () => {
  it('backs off 15 s, 30 s, 60 s, … and never more than 10 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(backoffSeconds)).toEqual([
      15, 30, 60, 120, 240, 480, 600, 600,
    ])
  })

  it('keeps a job queued with its place while no agent has room, spending no attempt, and starts it when an agent appears', async () => {
    await emptyFleet()
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    for (let fill = 0; fill < MAX_ATTEMPTS + 2; fill++) await dispatchLine(env).fillNow()
    const waiting = await user.api.getJob({ params: { id: job.id } })
    expect(waiting).toMatchObject({
      status: 'queued',
      queuePosition: 1,
      waiting: { reason: 'in_line', until: expect.any(String) },
    })
    expect(waiting.error).toBeUndefined()
    // Free waits in line for 24 h at most.
    const { queued_at } = await queuedAt(job.id)
    expect(Date.parse(waiting.waiting!.until!) - queued_at).toBe(24 * 3600_000)
    const listed = await user.api.listJobs({ query: {} })
    expect(listed.jobs.find((j) => j.id === job.id)).toMatchObject({ queuePosition: 1 })

    // A new agent's heartbeat drains the line at once (no retry timer involved).
    const agentId = await registerAgent()
    const start = await waitForStart(job.id)
    expect(start.agentId).toBe(agentId)
    expect(start.body.attempt).toBe(1)
    await waitFor(
      async () => (await user.api.getJob({ params: { id: job.id } })).status === 'metadata_fetch',
    )
    expect(await user.api.getJob({ params: { id: job.id } })).toMatchObject({
      queuePosition: null,
      waiting: null,
    })
  })

  it('shows a follower the place of the job it follows, and a job the line took after it was read as it is now', async () => {
    await emptyFleet()
    const [a, b] = await Promise.all([signUp(), signUp()])
    const magnet = magnetFor(randomInfohash())
    const leader = await a.api.createJob({ body: { magnet } })
    const follower = await b.api.createJob({ body: { magnet } })
    expect(follower.id).not.toBe(leader.id)
    expect(await b.api.getJob({ params: { id: follower.id } })).toMatchObject({
      status: 'queued',
      queuePosition: 1,
      waiting: { reason: 'in_line' },
    })

    // Read while queued, then dispatched before the line is read: never "queued" without a place.
    const stale = (await getJobRow(env.DB, leader.id))!
    await registerAgent()
    await waitFor(async () => (await getJobRow(env.DB, leader.id))?.status !== 'queued')
    const [shown] = await withPlaceInLine(env.DB, [stale])
    expect(shown!.status).not.toBe('queued')
    expect(shown).toMatchObject({ queuePosition: null })
  })

  it('writes how long each job it hands to an agent waited in line', async () => {
    await emptyFleet()
    const capture = captureMetrics()
    try {
      const user = await signUp()
      const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
      await sleep(150)
      const agentId = await registerAgent()
      const [point] = await waitFor(async () => {
        const points = capture.of('queue_wait', { jobId: job.id })
        return points.length ? points : null
      })
      expect(point).toMatchObject({ agentId, attempt: 1 })
      expect(point!.ms).toBeGreaterThanOrEqual(150)
      expect(capture.of('queue_wait', { jobId: job.id })).toHaveLength(1)
    } finally {
      capture.stop()
    }
  })

  it('takes users in turns, not one user’s batch first, and holds each to their plan’s transfers', async () => {
    await emptyFleet()
    const [a, b, c] = await Promise.all([signUp(), signUp(), signUp()])
    const jobsOf = async (user: typeof a, n: number) => {
      const jobs = []
      for (let i = 0; i < n; i++)
        jobs.push(await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } }))
      return jobs
    }
    const aJobs = await jobsOf(a, 3)
    const bJobs = await jobsOf(b, 2)
    const cJobs = await jobsOf(c, 1)
    const position = async (user: typeof a, id: string) =>
      (await user.api.getJob({ params: { id } })).queuePosition
    expect(await Promise.all(aJobs.map((j) => position(a, j.id)))).toEqual([1, 4, 6])
    expect(await Promise.all(bJobs.map((j) => position(b, j.id)))).toEqual([2, 5])
    expect(await position(c, cJobs[0]!.id)).toBe(3)

    // Room for 5: a gets its plan's two transfers, b two, c one; a's third waits for its own.
    const agent = await registerAgent(undefined, 5)
    for (const job of [...aJobs.slice(0, 2), ...bJobs, ...cJobs]) {
      expect((await waitForStart(job.id)).agentId).toBe(agent)
    }
    await sleep(200)
    expect(await callsFor(aJobs[2]!.id)).toEqual([])
    expect(await a.api.getJob({ params: { id: aJobs[2]!.id } })).toMatchObject({
      status: 'queued',
      queuePosition: 1,
      waiting: { reason: 'own_limit' },
    })
    expect((await a.api.me()).usage).toMatchObject({ activeJobs: 3, transfers: 2 })

    // A newcomer's first job goes ahead of a's third: a already has two transfers.
    const d = await signUp()
    const [dJob] = await jobsOf(d, 1)
    expect(await position(d, dJob!.id)).toBe(1)
    expect(await position(a, aJobs[2]!.id)).toBe(2)
  })

  it('fills a slot the moment a transfer parks, and starts the next user’s job there', async () => {
    await emptyFleet()
    const agent = await registerAgent(undefined, 1)
    const [first, second] = await Promise.all([signUp(), signUp()])
    const infohash = randomInfohash()
    const dead = await first.api.createJob({ body: { magnet: magnetFor(infohash) } })
    await waitForStart(dead.id)
    const healthy = await second.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    await sleep(300)
    expect(await callsFor(healthy.id)).toEqual([])

    // The agent parks the dead torrent: it looks for metadata without a transfer slot.
    const since = new Date().toISOString()
    const until = new Date(Date.now() + 600_000).toISOString()
    const response = await agentSide(dead.id, agent).send({
      type: 'progress_update',
      phase: 'metadata_fetch',
      progressPct: 0,
      bytesDownloaded: 0,
      bytesTotal: 0,
      downloadSpeed: 0,
      uploadSpeed: 0,
      eta: null,
      peers: 0,
      seeds: 0,
      waiting: { reason: 'metadata', since, until },
    })
    expect(response.status).toBe(200)
    expect((await waitForStart(healthy.id)).agentId).toBe(agent)
    const parked = await first.api.getJob({ params: { id: dead.id } })
    expect(parked).toMatchObject({
      status: 'metadata_fetch',
      waiting: { reason: 'metadata', since, until },
    })
    expect((await first.api.listJobs({ query: {} })).jobs[0]).toMatchObject({
      waiting: { reason: 'metadata' },
    })
  })

  it('treats an agent’s 503 as no room (no attempt), and an agent error as a try with backoff that keeps the job’s place', async () => {
    await emptyFleet()
    const full = await registerAgent()
    await fetch(`${doubleUrl()}/_refuse?agent=${full}&on=1`)
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    expect(await dispatchLine(env).fillNow()).toMatchObject({ dispatched: 0, agentErrors: 0 })
    expect(await user.api.getJob({ params: { id: job.id } })).toMatchObject({
      status: 'queued',
      waiting: { reason: 'in_line' },
    })
    // The full agent leaves before it stops refusing: a fill in flight (the job's queue notice)
    // must not find it with room.
    await env.DB.prepare('UPDATE agents SET last_heartbeat_at = 0').run()
    await dispatchLine(env).fillNow()
    await fetch(`${doubleUrl()}/_refuse?agent=${full}&on=0`)

    const before = await queuedAt(job.id)
    await registerBrokenAgent()
    // The broken agent's heartbeat may already have filled the line: either fill tried the job.
    await dispatchLine(env).fillNow()
    const after = await queuedAt(job.id)
    expect(after.queued_at).toBe(before.queued_at)
    expect(after.not_before).toBeGreaterThan(Date.now() + 10_000)
    const retrying = await user.api.getJob({ params: { id: job.id } })
    expect(retrying).toMatchObject({
      status: 'queued',
      error: { code: 'agent_error' },
      waiting: { reason: 'retry_later' },
    })
    // Waiting out the delay: not tried again before it.
    expect(await dispatchLine(env).fillNow()).toMatchObject({ agentErrors: 0 })
  })

  it('fails a job whose attempts all end in agent errors, and alerts', async () => {
    await emptyFleet()
    await registerBrokenAgent()
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await env.DB.prepare('UPDATE jobs SET not_before = 0 WHERE id = ?').bind(job.id).run()
      await dispatchLine(env).fillNow()
    }
    expect(await user.api.getJob({ params: { id: job.id } })).toMatchObject({
      status: 'failed',
      error: { code: 'agent_error', message: expect.stringMatching(/Gave up after 5 attempts/) },
    })
    const alert = await env.DB.prepare('SELECT kind FROM alerts WHERE job_id = ?')
      .bind(job.id)
      .first()
    expect(alert).toMatchObject({ kind: 'dispatch_gave_up' })
  })

  it('fails a job that waited in line longer than its plan allows, saying so', async () => {
    await emptyFleet()
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    await env.DB.prepare('UPDATE jobs SET queued_at = ? WHERE id = ?')
      .bind(Date.now() - 24 * 3600_000 - 1, job.id)
      .run()
    const ctx = createExecutionContext()
    await worker.scheduled(
      createScheduledController({ cron: CRONS.frequent, scheduledTime: Date.now() }),
      env,
      ctx,
    )
    await waitFor(
      async () => (await user.api.getJob({ params: { id: job.id } })).status === 'failed',
    )
    expect((await user.api.getJob({ params: { id: job.id } })).error).toMatchObject({
      code: 'queue_timeout',
      message: expect.stringMatching(/time your plan allows it to wait in line/),
    })
  })

  it('acknowledges notices by filling the line once, and a malformed one without failing', async () => {
    const ok = await deliver({ type: 'dispatch', jobId: 'gone', key: 'x' }, 1)
    expect(ok.explicitAcks).toHaveLength(1)
    const bad = await deliver({ type: 'dispatch', jobId: 42 } as unknown as DispatchMessage, 1)
    expect(bad.explicitAcks).toHaveLength(1)
    expect(bad.retryMessages).toHaveLength(0)
  })

  it('alerts on a dead-lettered notice and leaves the job in line', async () => {
    await emptyFleet()
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    await waitFor(
      async () => (await user.api.getJob({ params: { id: job.id } })).status === 'queued',
    )
    const message: DispatchMessage = {
      type: 'dispatch',
      jobId: job.id,
      key: `${job.infohash}:${user.userId}`,
    }
    const dead = await deliver(message, 1, 'tseeder-jobs-dlq')
    expect(dead.explicitAcks).toHaveLength(1)
    const alert = await env.DB.prepare('SELECT kind, message FROM alerts WHERE job_id = ?')
      .bind(job.id)
      .first<{ kind: string; message: string }>()
    expect(alert).toMatchObject({ kind: 'dispatch_dead_lettered' })
    expect(alert!.message).toMatch(/is queued/)
    expect((await user.api.getJob({ params: { id: job.id } })).status).toBe('queued')
  })

  it('spreads jobs over agents by free transfer slots', async () => {
    await emptyFleet()
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
  it('re-queues a job whose agent went silent for 30 s at its old place, counting an attempt, and another agent gets it', async () => {
    await emptyFleet()
    await registerAgent()
    const user = await signUp()
    const infohash = randomInfohash()
    const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const first = await waitForStart(job.id)
    const place = (await queuedAt(job.id)).queued_at
    await agentSide(job.id, first.agentId).send(metadata(infohash))
    const stream = openStream(user, `/api/jobs/${job.id}/events`)
    await stream.ready

    await env.DB.prepare('UPDATE agents SET last_heartbeat_at = 0 WHERE id = ?')
      .bind(first.agentId)
      .run()
    const stub = jobProgress(env, job.id)
    await runInDurableObject(stub, (instance: JobProgressDO) => {
      const state = (instance as unknown as { state: { lastHeartbeat: number } }).state
      state.lastHeartbeat = Date.now() - 31_000
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    await stream.until((e) => e.type === 'error' && e.code === 'worker_stale', 'worker_stale event')
    await stream.until((e) => e.type === 'status' && e.status === 'queued', 'queued')
    expect((await queuedAt(job.id)).queued_at).toBe(place)

    await registerAgent()
    const second = await waitForStart(job.id, 2)
    expect(second.agentId).not.toBe(first.agentId)
    await waitFor(
      async () => (await user.api.getJob({ params: { id: job.id } })).status === 'metadata_fetch',
    )
    stream.close()
  })
})
