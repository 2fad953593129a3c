// Many tenants on one fleet at once, for the capacity test and bench (e2e/): users signing up from
// addresses of their own, each submitting a burst of jobs (healthy torrents from throttled local
// seeders, and dead magnets nobody seeds), users one after another so later ones arrive while
// earlier batches still wait; what the API showed meanwhile, and what each job's history says.
import { randomBytes } from 'node:crypto'
import type { AdminJob, Job, JobEvent, JobWaiting } from '@tseeder/shared'
import { buildTorrent, content, type TorrentFixture } from './fixtures.ts'
import { type Session, signUp } from './session.ts'
import type { Swarm } from './swarm.ts'

export interface TenantMixOptions {
  users: number
  jobsPerUser: number
  /** Dead magnets in all, one per user from the first on (its place in the burst varies). */
  deadJobs: number
  /** Size of each healthy torrent's single file. */
  healthyBytes: number
  /** Each healthy torrent is seeded by a client of its own, throttled to this upload rate. */
  seedBytesPerSecond: number
  /** Between one user's burst and the next one's. */
  userGapMs: number
  pieceLength?: number
}

export interface MixJob {
  user: number
  /** Place in its user's burst: 0 is the user's first job. */
  order: number
  kind: 'healthy' | 'dead'
  magnet: string
  /** Healthy jobs only: what the seeder serves. */
  fixture: TorrentFixture | null
  /** Set once submitted. */
  id: string
  /** Local clock, just before `POST /api/jobs`. */
  submittedAt: number
}

export interface TenantMix {
  users: Session[]
  jobs: MixJob[]
}

/** A made-up address per user (TEST-NET-3), so no two share a per-address limit. */
export const tenantIp = (user: number) => `203.0.113.${user + 1}`

/**
 * Signs the users up and seeds the healthy torrents (each on its own throttled seeder); nothing is
 * submitted yet. User `u`'s dead job, if it has one, is at place `u % jobsPerUser` of its burst.
 */
export async function prepareTenantMix(
  baseUrl: string,
  swarm: Swarm,
  options: TenantMixOptions,
): Promise<TenantMix> {
  const users: Session[] = []
  for (let u = 0; u < options.users; u++) users.push(await signUp(baseUrl, { ip: tenantIp(u) }))
  const jobs: MixJob[] = []
  let dead = 0
  for (let u = 0; u < options.users; u++) {
    const deadAt = dead < options.deadJobs ? u % options.jobsPerUser : -1
    for (let order = 0; order < options.jobsPerUser; order++) {
      const job = { user: u, order, id: '', submittedAt: 0 }
      if (order === deadAt) {
        dead++
        const infohash = randomBytes(20).toString('hex')
        const magnet = `magnet:?xt=urn:btih:${infohash}&dn=dead-u${u}&tr=${encodeURIComponent(swarm.announce)}`
        jobs.push({ ...job, kind: 'dead', magnet, fixture: null })
        continue
      }
      const name = `tenant-u${u}-j${order}`
      const fixture = buildTorrent({
        name,
        announce: swarm.announce,
        singleFile: true,
        pieceLength: options.pieceLength ?? 16 * 1024,
        files: [{ segments: [name], data: content(options.healthyBytes) }],
      })
      jobs.push({ ...job, kind: 'healthy', magnet: fixture.magnet, fixture })
    }
  }
  await Promise.all(
    jobs.flatMap((job) =>
      job.fixture
        ? [
            (async () => {
              const seeder = swarm.seeder()
              seeder.throttle(options.seedBytesPerSecond)
              await seeder.seed(job.fixture!)
            })(),
          ]
        : [],
    ),
  )
  return { users, jobs }
}

/**
 * Submits every user's jobs as a burst (one after another, in burst order), user `u` starting
 * `u × userGapMs` after the first. `onBurst` runs after each user's burst.
 */
export async function submitInBursts(
  mix: TenantMix,
  userGapMs: number,
  onBurst?: (user: number) => void | Promise<void>,
): Promise<void> {
  const start = Date.now()
  await Promise.all(
    mix.users.map(async (session, u) => {
      await sleep(start + u * userGapMs - Date.now())
      for (const job of mix.jobs.filter((j) => j.user === u)) {
        job.submittedAt = Date.now()
        job.id = (await session.api.createJob({ body: { magnet: job.magnet } })).id
      }
      await onBurst?.(u)
    }),
  )
}

export interface JobSample {
  at: number
  status: Job['status']
  queuePosition: number | null
  waiting: JobWaiting | null
}

export interface AgentSample {
  at: number
  agents: Array<{ id: string; transfers: number; capacity: number; healthy: boolean }>
}

export interface SampleSources {
  /** An admin session: `GET /api/admin/agents`, the fleet as heartbeats last reported it. */
  admin?: Session
  /** Agents read live from their open `/metrics` (`tseeder_agent_transfers`). */
  agents?: Array<{ id: string; url: string; capacity: number }>
}

/**
 * Polls every user's `GET /api/jobs`, and the fleet from `sources`, until `stop()`. A failed
 * poll is kept in `errors`, not thrown: the run goes on. An agent whose `/metrics` does not
 * answer counts as unhealthy in that sample.
 */
export function sampleTenants(mix: TenantMix, sources: SampleSources, intervalMs: number) {
  const jobs = new Map<string, JobSample[]>()
  /** From `GET /api/admin/agents`. */
  const reported: AgentSample[] = []
  /** From the agents' `/metrics`. */
  const live: AgentSample[] = []
  const errors: string[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      const started = Date.now()
      await Promise.all([
        ...mix.users.map(async (user, u) => {
          try {
            const list = await user.api.listJobs({ query: { limit: 100 } })
            const at = Date.now()
            for (const job of list.jobs) {
              const seen = jobs.get(job.id) ?? []
              seen.push({
                at,
                status: job.status,
                queuePosition: job.queuePosition,
                waiting: job.waiting,
              })
              jobs.set(job.id, seen)
            }
          } catch (error) {
            errors.push(`user ${u} GET /api/jobs: ${(error as Error).message}`)
          }
        }),
        (async () => {
          if (!sources.admin) return
          try {
            const list = await sources.admin.api.adminListAgents()
            reported.push({
              at: Date.now(),
              agents: list.agents.map((a) => ({
                id: a.id,
                transfers: a.transfers,
                capacity: a.capacity,
                healthy: a.healthy,
              })),
            })
          } catch (error) {
            errors.push(`GET /api/admin/agents: ${(error as Error).message}`)
          }
        })(),
        (async () => {
          if (!sources.agents) return
          const at = Date.now()
          live.push({ at, agents: await Promise.all(sources.agents.map(readAgentMetrics)) })
        })(),
      ])
      await sleep(started + intervalMs - Date.now())
    }
  })()
  return {
    jobs,
    reported,
    live,
    errors,
    async stop() {
      running = false
      await loop
    },
  }
}

async function readAgentMetrics(agent: { id: string; url: string; capacity: number }) {
  try {
    const text = await (
      await fetch(`${agent.url}/metrics`, { signal: AbortSignal.timeout(2_000) })
    ).text()
    const transfers = Number(/^tseeder_agent_transfers (\S+)$/m.exec(text)?.[1] ?? Number.NaN)
    return {
      id: agent.id,
      transfers,
      capacity: agent.capacity,
      healthy: Number.isFinite(transfers),
    }
  } catch {
    return { id: agent.id, transfers: 0, capacity: agent.capacity, healthy: false }
  }
}

/** A job's story from `GET /api/jobs/:id/history`. */
export interface JobTimeline {
  job: MixJob
  events: JobEvent[]
  /** When the Worker recorded it `submitted` (ms). */
  submittedAt: number
  /** When it first went to an agent (`metadata_fetch`), or null if it never did. */
  dispatchedAt: number | null
  /** Every error code it met, on status or error events. */
  errorCodes: string[]
}

export async function jobTimelines(mix: TenantMix): Promise<JobTimeline[]> {
  return Promise.all(
    mix.jobs.map(async (job) => {
      const { events } = await mix.users[job.user]!.api.jobHistory({ params: { id: job.id } })
      const time = (e: JobEvent | undefined) => (e?.at ? Date.parse(e.at) : null)
      const status = (s: string) => events.find((e) => e.type === 'status' && e.status === s)
      const errorCodes = events.flatMap((e) =>
        e.type === 'error' ? [e.code] : e.type === 'status' && e.error ? [e.error.code] : [],
      )
      return {
        job,
        events,
        submittedAt: time(status('submitted')) ?? job.submittedAt,
        dispatchedAt: time(status('metadata_fetch')),
        errorCodes,
      }
    }),
  )
}

/**
 * Pairs breaking fair order: user X's first job was in line (for `graceMs` at least) when user
 * Y's third job went to an agent, yet X's first job went later (or never).
 */
export function fairnessViolations(timelines: JobTimeline[], graceMs: number): string[] {
  const nth = (user: number, order: number) =>
    timelines.find((t) => t.job.user === user && t.job.order === order)
  const users = [...new Set(timelines.map((t) => t.job.user))]
  const violations: string[] = []
  for (const x of users) {
    const first = nth(x, 0)
    if (!first) continue
    for (const y of users) {
      const third = nth(y, 2)
      if (x === y || !third?.dispatchedAt) continue
      if (first.submittedAt + graceMs > third.dispatchedAt) continue
      if (first.dispatchedAt !== null && first.dispatchedAt <= third.dispatchedAt) continue
      violations.push(
        `user ${x}'s first job (in line from ${stamp(first.submittedAt)}, to an agent ` +
          `${first.dispatchedAt === null ? 'never' : `at ${stamp(first.dispatchedAt)}`}) ` +
          `went after user ${y}'s third (to an agent at ${stamp(third.dispatchedAt)})`,
      )
    }
  }
  return violations
}

/**
 * One line per user: each job's kind, when it was submitted and when it first went to an agent,
 * in seconds from the first submit (for a failure's message).
 */
export function timelineTable(timelines: JobTimeline[]): string {
  const zero = Math.min(...timelines.map((t) => t.submittedAt))
  const s = (ms: number | null) => (ms === null ? 'never' : `+${((ms - zero) / 1000).toFixed(1)}`)
  const users = [...new Set(timelines.map((t) => t.job.user))].sort((a, b) => a - b)
  return users
    .map(
      (u) =>
        `user ${u}: ` +
        timelines
          .filter((t) => t.job.user === u)
          .sort((a, b) => a.job.order - b.job.order)
          .map(
            (t) => `#${t.job.order + 1} ${t.job.kind} ${s(t.submittedAt)} → ${s(t.dispatchedAt)}`,
          )
          .join(' | '),
    )
    .join('\n')
}

/** The `p`-th percentile (0–100) by nearest rank; NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/**
 * Transfer-slot-seconds used over those available between `from` and `to`, from agent samples
 * (each sample holds until the next); only healthy agents' slots count as available.
 */
export function utilisation(samples: AgentSample[], from: number, to: number) {
  let used = 0
  let available = 0
  samples.forEach((sample, i) => {
    const start = Math.max(from, sample.at)
    const end = Math.min(to, samples[i + 1]?.at ?? to)
    if (end <= start) return
    const seconds = (end - start) / 1000
    for (const agent of sample.agents.filter((a) => a.healthy)) {
      used += Math.min(agent.transfers, agent.capacity) * seconds
      available += agent.capacity * seconds
    }
  })
  return { used, available, ratio: available ? used / available : Number.NaN }
}

/** Admin's view of the mix's jobs (agent and attempt), by job id. */
export async function adminJobs(admin: Session): Promise<Map<string, AdminJob>> {
  const { jobs } = await admin.api.adminListJobs({ query: { limit: 100 } })
  return new Map(jobs.map((j) => [j.id, j]))
}

/** The Worker's log lines about errors and 5xx answers (the last 40), for a failure's message. */
export function workerTrouble(stack: { logTail(name: string, lines?: number): string }): string {
  const lines = stack.logTail('worker', 1_000_000).split('\n')
  const trouble = lines.filter((line) =>
    /"status":5\d\d|\s5\d\d [A-Z]|"level":"(error|fatal)"|✘|uncaught|exception|overloaded/i.test(
      line,
    ),
  )
  return `The Worker's log, errors and 5xx answers:\n${trouble.slice(-40).join('\n')}`
}

const stamp = (ms: number) => new Date(ms).toISOString().slice(11, 23)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
