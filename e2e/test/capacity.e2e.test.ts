// Capacity among many tenants (issue 14), on the real stack: three agents of two transfer slots
// each, ten users with a burst of three jobs each (a dead magnet and two healthy torrents from
// throttled local seeders), users arriving one after another while earlier batches still wait.
// One agent is killed mid-run; its jobs go back to the line once its heartbeat is stale (30 s).
import type { AdminJob } from '@tseeder/shared'
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest'
import { sha256 } from '@tseeder/testkit/fixtures'
import { type Session, signIn } from '@tseeder/testkit/session'
import { startSwarm, type Swarm } from '@tseeder/testkit/swarm'
import {
  adminJobs,
  fairnessViolations,
  jobTimelines,
  type MixJob,
  prepareTenantMix,
  sampleTenants,
  submitInBursts,
  type TenantMix,
  type TenantMixOptions,
  timelineTable,
  workerTrouble,
} from '@tseeder/testkit/tenants'
import { startTestStack, type TestStack } from '@tseeder/testkit/test-stack'

const MIX: TenantMixOptions = {
  users: 10,
  jobsPerUser: 3,
  deadJobs: 10,
  healthyBytes: 300 * 1024,
  seedBytesPerSecond: 48 * 1024,
  userGapMs: 1_500,
}
const CAPACITY = 2
const AGENT_ENV = {
  AGENT_MAX_JOBS: String(CAPACITY),
  AGENT_IDLE_CAPACITY: '32',
  AGENT_PARK_AFTER_MS: '3000',
}
/** The agent is killed right after this user's burst: the fleet is full and the line is long. */
const KILL_AFTER_USER = 4
/** A first job must have been in line this long before another's third went, to count as passed over. */
const FAIRNESS_GRACE_MS = 1_000

let stack: TestStack
let swarm: Swarm
let admin: Session
let mix: TenantMix

beforeAll(async () => {
  ;[stack, swarm] = await Promise.all([startTestStack(3, { agentEnv: AGENT_ENV }), startSwarm()])
  if (!stack.admin) throw new Error('a fresh stack creates its first admin')
  admin = await signIn(stack.url, stack.admin.email, stack.admin.password)
  mix = await prepareTenantMix(stack.url, swarm, MIX)
})

afterAll(async () => {
  await Promise.allSettled([stack?.close(), swarm?.close()])
})

const running = (job: AdminJob) =>
  job.status === 'metadata_fetch' || job.status === 'downloading' || job.status === 'uploading'

/** Polls until every job in `jobs` is completed; throws at once when one fails or is cancelled. */
async function waitForCompletion(jobs: MixJob[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const all = await adminJobs(admin)
    const left = jobs.filter((j) => all.get(j.id)?.status !== 'completed')
    for (const job of jobs) {
      const seen = all.get(job.id)
      if (seen?.status === 'failed' || seen?.status === 'cancelled')
        throw new Error(
          `job ${job.id} (user ${job.user}) ended ${seen.status}: ${JSON.stringify(seen.error)}`,
        )
    }
    if (!left.length) return
    if (Date.now() > deadline)
      throw new Error(
        `${left.length} healthy jobs not completed after ${timeoutMs / 1000} s: ` +
          left.map((j) => `${j.id}=${all.get(j.id)?.status}`).join(', '),
      )
    await new Promise((resolve) => setTimeout(resolve, 1_000))
  }
}

describe('capacity among many tenants, three agents of two slots', () => {
  it('queues ten users’ thirty jobs fairly, parks the dead ones, and completes every healthy one though an agent is killed', async () => {
    onTestFailed(() => console.log(workerTrouble(stack)))
    const healthy = mix.jobs.filter((j) => j.kind === 'healthy')
    const dead = mix.jobs.filter((j) => j.kind === 'dead')
    expect([healthy.length, dead.length]).toEqual([20, 10])
    const sampler = sampleTenants(mix, {}, 1_000)
    const startedAt = Date.now()

    let killed: { id: string; at: number; jobs: AdminJob[] } | null = null
    await submitInBursts(mix, MIX.userGapMs, async (user) => {
      if (user !== KILL_AFTER_USER) return
      const all = await adminJobs(admin)
      const ours = new Set(mix.jobs.map((j) => j.id).filter(Boolean))
      const onAgent = (id: string) =>
        [...all.values()].filter((j) => ours.has(j.id) && j.agentId === id && running(j))
      // The agent moving the most healthy bytes: killing one that holds only parked dead
      // torrents would prove little.
      const healthyIds = new Set(healthy.map((j) => j.id))
      const healthyOn = (jobs: AdminJob[]) => jobs.filter((j) => healthyIds.has(j.id)).length
      const [victim] = stack.agents
        .map((a) => ({ id: a.id, jobs: onAgent(a.id) }))
        .sort((a, b) => healthyOn(b.jobs) - healthyOn(a.jobs) || b.jobs.length - a.jobs.length)
      await stack.killAgent(victim!.id)
      killed = { id: victim!.id, at: Date.now(), jobs: victim!.jobs }
    })
    const submittedIn = Date.now() - startedAt

    // The healthy ones complete, those of the killed agent after its 30 s stale window.
    await waitForCompletion(healthy, 150_000)
    const completedIn = Date.now() - startedAt

    // Every dead one shows, parked on an agent, that it waits for metadata.
    const parkedOnce = (j: MixJob) =>
      sampler.jobs.get(j.id)?.some((s) => s.waiting?.reason === 'metadata') ?? false
    const parkDeadline = Date.now() + 15_000
    while (!dead.every(parkedOnce) && Date.now() < parkDeadline)
      await new Promise((resolve) => setTimeout(resolve, 500))
    await sampler.stop()

    const final = await adminJobs(admin)
    const timelines = await jobTimelines(mix)
    const byId = new Map(timelines.map((t) => [t.job.id, t]))
    console.log(
      `capacity run: submitted in ${Math.round(submittedIn / 1000)} s, healthy jobs completed ` +
        `${Math.round(completedIn / 1000)} s after the first submit; killed ${killed!.id} holding ` +
        `${killed!.jobs.length} jobs ${Math.round((killed!.at - startedAt) / 1000)} s in; ` +
        `${sampler.errors.length} failed polls`,
    )

    // None failed, and nothing failed for lack of room at any point.
    expect(mix.jobs.filter((j) => final.get(j.id)?.status === 'failed')).toEqual([])
    const roomErrors = timelines.flatMap((t) =>
      t.errorCodes
        .filter((code) => code === 'no_agent' || code === 'queue_timeout')
        .map((code) => `${t.job.id}: ${code}`),
    )
    expect(roomErrors).toEqual([])

    // Every healthy job's file downloads with the seeded bytes.
    for (const job of healthy) {
      const user = mix.users[job.user]!
      const { files } = await user.api.listJobFiles({ params: { id: job.id } })
      expect(files.map((f) => f.available)).toEqual([true])
      const { url } = await user.api.createFileLink({ params: { id: files[0]!.id } })
      const response = await fetch(new URL(url, stack.url))
      expect(response.status).toBe(200)
      expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(job.fixture!.sha256[0])
    }

    // Fair share: no user's first job went to an agent after another user's third. Soft, so a
    // failure here still lets the checks below report.
    const unfair = fairnessViolations(timelines, FAIRNESS_GRACE_MS)
    if (unfair.length) console.log(`submitted → first on an agent:\n${timelineTable(timelines)}`)
    expect.soft(unfair).toEqual([])

    // Queued jobs showed their place in line; there was a line to show.
    const queuedSamples = [...sampler.jobs.values()].flat().filter((s) => s.status === 'queued')
    expect(queuedSamples.length).toBeGreaterThan(0)
    for (const sample of queuedSamples) {
      expect(sample.queuePosition).toBeGreaterThanOrEqual(1)
      expect(['in_line', 'own_limit', 'retry_later']).toContain(sample.waiting?.reason)
    }
    expect(new Set(queuedSamples.map((s) => s.queuePosition)).size).toBeGreaterThan(1)

    // Dead ones: parked, waiting for metadata since a time and until the give-up time.
    expect(dead.filter((j) => !parkedOnce(j)).map((j) => j.id)).toEqual([])
    for (const job of dead) {
      const parked = sampler.jobs.get(job.id)!.filter((s) => s.waiting?.reason === 'metadata')
      for (const { waiting, status } of parked) {
        expect(status).toBe('metadata_fetch')
        expect(Date.parse(waiting!.since)).toBeLessThanOrEqual(Date.now())
        expect(Date.parse(waiting!.until!)).toBeGreaterThan(Date.parse(waiting!.since))
      }
      expect(byId.get(job.id)!.dispatchedAt).not.toBeNull()
    }

    // The killed agent's jobs moved to the other two and were not lost.
    expect(
      killed!.jobs.filter((j) => mix.jobs.find((m) => m.id === j.id)?.kind === 'healthy').length,
    ).toBeGreaterThan(0)
    for (const job of killed!.jobs) {
      const now = final.get(job.id)!
      expect(now.agentId, `job ${job.id} was on ${killed!.id}`).not.toBe(killed!.id)
      const kind = mix.jobs.find((m) => m.id === job.id)!.kind
      expect(now.status).toBe(kind === 'healthy' ? 'completed' : 'metadata_fetch')
      expect(byId.get(job.id)!.errorCodes).toContain('worker_stale')
    }
  })
})
