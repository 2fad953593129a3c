import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  callsFor,
  dispatchedJob,
  jobRow,
  progress,
  randomInfohash,
  registerAgent,
  waitFor,
} from '../../test/pipeline.ts'
import { apiError, auditRows, signUp, signUpAdmin, type SignedUp } from '../../test/helpers.ts'

let admin: SignedUp

beforeAll(async () => {
  admin = await signUpAdmin()
})

/** A job row of `userId` put straight in D1, as the lifecycle would have left it. */
async function seedJob(
  userId: string,
  fields: {
    status: string
    queuedAt?: number
    agentId?: string
    waitingReason?: string
    followsJobId?: string
  },
) {
  const id = crypto.randomUUID()
  const now = Date.now()
  await env.DB.prepare(
    `INSERT INTO jobs (id, user_id, infohash, name, source, status, agent_id, follows_job_id,
       queued_at, waiting_reason, not_before, created_at, updated_at)
     VALUES (?, ?, ?, 'seeded', 'magnet', ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      id,
      userId,
      randomInfohash(),
      fields.status,
      fields.agentId ?? null,
      fields.followsJobId ?? null,
      fields.queuedAt ?? now,
      fields.waitingReason ?? null,
      // Never tried by a dispatcher while the test looks at the line.
      now + 86_400_000,
      now,
      now,
    )
    .run()
  return id
}

describe('admin agents', () => {
  // First in the file, so that its rows are the whole line.
  it('sum up the line: depth, the longest and median wait, and parked jobs', async () => {
    const user = await signUp()
    const empty = await admin.api.adminListAgents()
    expect(empty.queue).toEqual({
      depth: 0,
      oldestWaitSeconds: null,
      medianWaitSeconds: null,
      parked: 0,
    })

    const now = Date.now()
    const leader = await seedJob(user.userId, { status: 'queued', queuedAt: now - 600_000 })
    await seedJob(user.userId, { status: 'queued', queuedAt: now - 120_000 })
    await seedJob(user.userId, { status: 'submitted', queuedAt: now - 60_000 })
    await seedJob(user.userId, { status: 'queued', queuedAt: now - 30_000 })
    // Not in line: a follower waits for its leader, a running job is on an agent.
    await seedJob(user.userId, { status: 'queued', queuedAt: now - 900_000, followsJobId: leader })
    await seedJob(user.userId, { status: 'downloading', queuedAt: now - 900_000, agentId: 'a' })
    await seedJob(user.userId, {
      status: 'metadata_fetch',
      queuedAt: now - 900_000,
      agentId: 'a',
      waitingReason: 'metadata',
    })
    await seedJob(user.userId, { status: 'downloading', agentId: 'a', waitingReason: 'peers' })
    await seedJob(user.userId, { status: 'paused', waitingReason: 'peers' })

    const { queue } = await admin.api.adminListAgents()
    expect(queue.depth).toBe(4)
    expect(queue.oldestWaitSeconds).toBeGreaterThanOrEqual(600)
    expect(queue.oldestWaitSeconds).toBeLessThan(605)
    // The median of 600, 120, 60 and 30 seconds: halfway between the middle two.
    expect(queue.medianWaitSeconds).toBeGreaterThanOrEqual(90)
    expect(queue.medianWaitSeconds).toBeLessThan(95)
    expect(queue.parked).toBe(2)

    await seedJob(user.userId, { status: 'queued', queuedAt: now - 240_000 })
    const odd = await admin.api.adminListAgents()
    expect(odd.queue.depth).toBe(5)
    expect(odd.queue.medianWaitSeconds).toBeGreaterThanOrEqual(120)
    expect(odd.queue.medianWaitSeconds).toBeLessThan(125)

    await env.DB.prepare('DELETE FROM jobs WHERE user_id = ?').bind(user.userId).run()
  })

  it('show each agent’s transfer slots, parked torrents and drain', async () => {
    const id = await registerAgent(undefined, 3)
    await env.DB.prepare(
      'UPDATE agents SET transfers = 2, parked_jobs = 5, idle_capacity = 32 WHERE id = ?',
    )
      .bind(id)
      .run()
    const { agents } = await admin.api.adminListAgents()
    expect(agents.find((a) => a.id === id)).toMatchObject({
      capacity: 3,
      transfers: 2,
      parkedJobs: 5,
      idleCapacity: 32,
      draining: false,
      healthy: true,
    })

    // What the API has assigned since the last heartbeat counts at once.
    const user = await signUp()
    for (const waitingReason of [undefined, undefined, undefined, 'metadata'])
      await seedJob(user.userId, { status: 'downloading', agentId: id, waitingReason })
    const fresh = (await admin.api.adminListAgents()).agents.find((a) => a.id === id)
    expect(fresh).toMatchObject({ transfers: 3, parkedJobs: 5 })
    await env.DB.prepare('DELETE FROM jobs WHERE user_id = ?').bind(user.userId).run()
  })

  it('drain an agent and stop draining it, auditing each change', async () => {
    const id = await registerAgent()
    const drained = await admin.api.adminDrainAgent({
      params: { id },
      body: { draining: true },
    })
    expect(drained).toMatchObject({ id, draining: true, healthy: true })
    const { agents } = await admin.api.adminListAgents()
    expect(agents.find((a) => a.id === id)?.draining).toBe(true)

    const resumed = await admin.api.adminDrainAgent({ params: { id }, body: { draining: false } })
    expect(resumed.draining).toBe(false)
    const row = await env.DB.prepare('SELECT draining FROM agents WHERE id = ?')
      .bind(id)
      .first<{ draining: number }>()
    expect(row?.draining).toBe(0)

    const audits = await auditRows('admin.agent_drain', id)
    expect(audits).toHaveLength(2)
    expect(audits[0]).toMatchObject({
      actor_id: admin.userId,
      actor_type: 'admin',
      target_type: 'agent',
    })
    expect(audits.map((a) => JSON.parse(a.meta as string))).toEqual([
      { draining: true, wasDraining: false, movedJobs: [] },
      { draining: false, wasDraining: true, movedJobs: [] },
    ])
  })

  it('send the agent’s parked jobs back to the line at their place; its transfers stay', async () => {
    const { user, job, agentId, agent } = await dispatchedJob()
    const { queued_at: queuedAt } = (await jobRow(job.id))!
    // The agent parks the torrent: no metadata yet, so it gives its transfer slot back.
    const parkedReport = await agent.send({
      ...progress(0, 0),
      phase: 'metadata_fetch',
      downloadSpeed: 0,
      peers: 0,
      seeds: 0,
      eta: null,
      waiting: { reason: 'metadata', since: new Date().toISOString(), until: null },
    })
    expect(parkedReport.status).toBe(200)
    await waitFor(async () => (await jobRow(job.id))?.waiting_reason === 'metadata', 5000, 'parked')
    const transfer = await seedJob(user.userId, { status: 'downloading', agentId })

    await admin.api.adminDrainAgent({ params: { id: agentId }, body: { draining: true } })

    await waitFor(
      async () => (await callsFor(job.id)).some((c) => c.path === '/stop' && c.agentId === agentId),
      5000,
      '/stop on the drained agent',
    )
    const moved = await jobRow(job.id)
    expect(moved).toMatchObject({ queued_at: queuedAt, waiting_reason: null })
    // Back in line, or already given to another agent by the dispatcher: never to this one.
    expect(['queued', 'metadata_fetch']).toContain(moved?.status)
    expect(moved?.agent_id).not.toBe(agentId)
    expect(await jobRow(transfer)).toMatchObject({ status: 'downloading', agent_id: agentId })
    const [row] = await auditRows('admin.agent_drain', agentId)
    expect(JSON.parse(row!.meta as string)).toEqual({
      draining: true,
      wasDraining: false,
      movedJobs: [job.id],
    })
  })

  it('answer 404 for an unknown agent and 400 without a draining flag', async () => {
    const unknown = await apiError(
      admin.api.adminDrainAgent({ params: { id: 'no-such-agent' }, body: { draining: true } }),
    )
    expect(unknown).toMatchObject({ status: 404, code: 'not_found' })
    expect(await auditRows('admin.agent_drain', 'no-such-agent')).toHaveLength(0)
    const id = await registerAgent()
    const bad = await apiError(
      admin.api.adminDrainAgent({ params: { id }, body: { draining: 'yes' } as never }),
    )
    expect(bad.status).toBe(400)
  })

  it('answer 403 to a plain user', async () => {
    const user = await signUp()
    const id = await registerAgent()
    for (const call of [
      () => user.api.adminListAgents(),
      () => user.api.adminDrainAgent({ params: { id }, body: { draining: true } }),
    ]) {
      expect(await apiError(call())).toMatchObject({ status: 403, code: 'forbidden' })
    }
    const row = await env.DB.prepare('SELECT draining FROM agents WHERE id = ?')
      .bind(id)
      .first<{ draining: number }>()
    expect(row?.draining).toBe(0)
  })
})
