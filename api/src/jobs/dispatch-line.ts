import { DurableObject } from 'cloudflare:workers'
import {
  agentsWithRoom,
  contentOnAgents,
  holding,
  nextInLine,
  nextRetryAt,
  type AgentRoom,
  type LineJob,
} from '../db/dispatch-line.ts'
import { configProblems } from '../lib/config.ts'
import { log } from '../lib/log.ts'
import { SerialQueue } from '../lib/serial.ts'
import { dispatchTo, type DispatchResult } from './dispatch.ts'

/** What one fill did, for logs and tests. */
export interface FillReport {
  dispatched: number
  noRoom: number
  agentErrors: number
}

/** Rounds of one fill at most: each round takes jobs out of line or agents out of the running. */
const MAX_ROUNDS = 100
/** Jobs looked at past the free slots in one round, for those whose content every agent runs. */
const LOOKAHEAD = 20

/**
 * Pairs the jobs (in line order) with agents: each to the agent with the most free transfer
 * slots left that has disk for it and runs no download of its content (`held`, keys of
 * `holding`). A job no agent can take stays in line.
 */
export function assign(
  jobs: readonly LineJob[],
  agents: readonly AgentRoom[],
  held: ReadonlySet<string> = new Set(),
): { job: LineJob; agent: AgentRoom }[] {
  const free = new Map(agents.map((a) => [a.id, a.free_slots]))
  const taken = new Set(held)
  const pairs: { job: LineJob; agent: AgentRoom }[] = []
  for (const job of jobs) {
    let best: AgentRoom | null = null
    for (const agent of agents) {
      const left = free.get(agent.id)!
      if (
        left > 0 &&
        agent.free_disk_bytes >= job.bytes_total &&
        !taken.has(holding(agent.id, job.infohash)) &&
        (!best || left > free.get(best.id)!)
      )
        best = agent
    }
    if (!best) continue
    free.set(best.id, free.get(best.id)! - 1)
    taken.add(holding(best.id, job.infohash))
    pairs.push({ job, agent: best })
  }
  return pairs
}

/**
 * Fills every free transfer slot of the fleet from the line, in its fair order, until the line
 * is empty or no agent has room. An agent that answers "no room" (503) sits out the rest of
 * this fill; its jobs keep their place. A production Worker with configuration errors
 * (lib/config.ts) hands out nothing: the jobs wait in line until the configuration is fixed.
 */
export async function fillFreeSlots(env: Env): Promise<FillReport> {
  const report: FillReport = { dispatched: 0, noRoom: 0, agentErrors: 0 }
  const problems = configProblems(env)
  if (problems.length) {
    log.error('dispatch_refused', { problems: problems.map((p) => p.code) })
    return report
  }
  const refused = new Set<string>()
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const agents = (await agentsWithRoom(env.DB, Date.now())).filter((a) => !refused.has(a.id))
    const slots = agents.reduce((sum, a) => sum + a.free_slots, 0)
    if (slots === 0) break
    // More jobs than slots: one no agent can take now (its content runs on every agent with
    // room) must not keep the jobs behind it from the slots.
    const jobs = await nextInLine(env.DB, Date.now(), slots + LOOKAHEAD)
    const held = await contentOnAgents(
      env.DB,
      jobs.map((j) => j.infohash),
    )
    const pairs = assign(jobs, agents, held)
    if (!pairs.length) break
    const results = await Promise.all(
      pairs.map(async ({ job, agent }): Promise<DispatchResult> => {
        const result = await dispatchTo(env, job.id, agent)
        if (result === 'no_room') refused.add(agent.id)
        return result
      }),
    )
    for (const result of results) {
      if (result === 'dispatched') report.dispatched++
      else if (result === 'no_room') report.noRoom++
      else if (result === 'agent_error') report.agentErrors++
    }
  }
  return report
}

/**
 * The fleet's one dispatch line. Anything that may have made room or added a job calls `fill()`
 * (a job joined the line, a job stopped holding a transfer slot, an agent heartbeat with free
 * slots, the cron); fills run one at a time on this object's alarm, so two never hand out the
 * same slot or the same job, and a burst of calls during a fill costs one more fill. After each
 * fill the alarm is set for the next job waiting out a retry delay.
 */
export class DispatchLineDO extends DurableObject<Env> {
  private readonly serial = new SerialQueue()

  /** Fills the line soon (now, on the alarm); returns at once. */
  async fill(): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now())
  }

  /** Fills the line now and says what it did (tests and the cron wait for it). */
  fillNow(): Promise<FillReport> {
    return this.serial.run(async () => {
      const report = await fillFreeSlots(this.env)
      if (report.dispatched || report.noRoom || report.agentErrors)
        log.info('line_filled', { ...report })
      const next = await nextRetryAt(this.env.DB, Date.now())
      if (next !== null) {
        const current = await this.ctx.storage.getAlarm()
        if (current === null || current > next) await this.ctx.storage.setAlarm(next)
      }
      return report
    })
  }

  override async alarm(): Promise<void> {
    await this.fillNow()
  }
}
