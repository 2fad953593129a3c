// `npm run bench -w @tseeder/e2e`: the capacity test's mix (many users, dead magnets and throttled
// healthy torrents, bursts one user after another) on the real stack, without the agent kill;
// prints queue wait (submit → first on an agent) p50/p99 and fleet utilisation (transfer-slot
// seconds used over those available, sampled from GET /api/admin/agents).
import { cpus, loadavg, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { signIn } from '@tseeder/testkit/session'
import { startSwarm } from '@tseeder/testkit/swarm'
import {
  adminJobs,
  fairnessViolations,
  jobTimelines,
  percentile,
  prepareTenantMix,
  sampleTenants,
  submitInBursts,
  type TenantMixOptions,
  utilisation,
  workerTrouble,
} from '@tseeder/testkit/tenants'
import { startTestStack } from '@tseeder/testkit/test-stack'

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '3' },
    capacity: { type: 'string', default: '2' },
    users: { type: 'string', default: '10' },
    jobs: { type: 'string', default: '3' },
    dead: { type: 'string', default: '10' },
    kib: { type: 'string', default: '300' },
    rate: { type: 'string', default: '48', description: 'KiB/s per seeder' },
    gap: { type: 'string', default: '1500', description: 'ms between users' },
    'park-after': { type: 'string', default: '3000' },
  },
})
const agents = Number(values.agents)
const capacity = Number(values.capacity)
const parkAfterMs = Number(values['park-after'])
const mixOptions: TenantMixOptions = {
  users: Number(values.users),
  jobsPerUser: Number(values.jobs),
  deadJobs: Number(values.dead),
  healthyBytes: Number(values.kib) * 1024,
  seedBytesPerSecond: Number(values.rate) * 1024,
  userGapMs: Number(values.gap),
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const [stack, swarm] = await Promise.all([
  startTestStack(agents, {
    agentEnv: {
      AGENT_MAX_JOBS: String(capacity),
      AGENT_IDLE_CAPACITY: '32',
      AGENT_PARK_AFTER_MS: String(parkAfterMs),
    },
  }),
  startSwarm(),
])
try {
  if (!stack.admin) throw new Error('a fresh stack creates its first admin')
  const admin = await signIn(stack.url, stack.admin.email, stack.admin.password)
  const mix = await prepareTenantMix(stack.url, swarm, mixOptions)
  const healthy = mix.jobs.filter((j) => j.kind === 'healthy')
  const sampler = sampleTenants(
    mix,
    { admin, agents: stack.agents.map((a) => ({ id: a.id, url: a.url, capacity })) },
    1_000,
  )
  const startedAt = Date.now()
  await submitInBursts(mix, mixOptions.userGapMs)

  const deadline = Date.now() + 600_000
  for (;;) {
    const all = await adminJobs(admin)
    const ended = mix.jobs.filter((j) => ['failed', 'cancelled'].includes(all.get(j.id)!.status))
    if (ended.length)
      throw new Error(`${ended.length} jobs ended early: ${ended.map((j) => j.id).join(', ')}`)
    const done = healthy.every((j) => all.get(j.id)!.status === 'completed')
    const parked = mix.jobs.every((j) => all.get(j.id)!.status !== 'queued')
    if (done && parked) break
    if (Date.now() > deadline) throw new Error('the mix did not finish within 10 minutes')
    await sleep(1_000)
  }
  await sampler.stop()
  const all = await adminJobs(admin)
  const finishedAt = Math.max(...healthy.map((j) => Date.parse(all.get(j.id)!.completedAt!)))

  const timelines = await jobTimelines(mix)
  const waits = (kind?: 'healthy' | 'dead') =>
    timelines
      .filter((t) => !kind || t.job.kind === kind)
      .map((t) => t.dispatchedAt! - t.submittedAt)
  const row = (label: string, values: number[]) =>
    `${label.padEnd(16)} p50 ${seconds(percentile(values, 50)).padStart(8)}   p99 ${seconds(percentile(values, 99)).padStart(8)}   max ${seconds(Math.max(...values)).padStart(8)}`
  const live = utilisation(sampler.live, startedAt, finishedAt)
  const reported = utilisation(sampler.reported, startedAt, finishedAt)
  const percent = (use: ReturnType<typeof utilisation>, samples: number) =>
    Number.isNaN(use.ratio)
      ? 'n/a (no samples)'
      : `${(use.ratio * 100).toFixed(0)} % (${use.used.toFixed(0)} of ${use.available.toFixed(0)} transfer-slot-seconds, ${samples} samples)`
  const cpu = cpus()

  console.log(`
Capacity bench: ${mixOptions.users} users × ${mixOptions.jobsPerUser} jobs (${mixOptions.deadJobs} dead magnets, ${healthy.length} healthy of ${values.kib} KiB, each seeder ${values.rate} KiB/s), a user every ${seconds(mixOptions.userGapMs)}
Fleet: ${agents} agents × ${capacity} transfer slots, AGENT_PARK_AFTER_MS=${parkAfterMs}
Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}

Queue wait, submit → first on an agent:
${row('all jobs', waits())}
${row('healthy', waits('healthy'))}
${row('dead magnets', waits('dead'))}
Healthy jobs all completed ${seconds(finishedAt - startedAt)} after the first submit.
Fleet utilisation, first submit to last healthy completion:
  live, agents' /metrics            ${percent(live, sampler.live.length)}
  GET /api/admin/agents (heartbeats) ${percent(reported, sampler.reported.length)}
Fair order: ${fairnessViolations(timelines, 1_000).length} times a user's first job went to an agent after another user's third.
Failed polls: ${sampler.errors.length}${sampler.errors.length ? ` (first: ${sampler.errors[0]})` : ''}
`)
} catch (error) {
  console.error(workerTrouble(stack))
  throw error
} finally {
  await Promise.allSettled([stack.close(), swarm.close()])
}
