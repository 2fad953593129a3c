import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { AgentHeartbeat } from '@tseeder/shared'
import { agentDrainingStatement, getAgent, recordHeartbeat } from './agents.ts'
import { agentsWithRoom } from './dispatch-line.ts'

const db = env.DB

/** Far more disk than any other test's agents report, so only this file's agents qualify. */
const HUGE_DISK = 2 ** 52

function beat(overrides: Partial<AgentHeartbeat> = {}): AgentHeartbeat {
  return {
    agentId: `agent-${crypto.randomUUID()}`,
    url: 'http://127.0.0.1:1',
    capacity: 4,
    activeJobs: 0,
    parkedJobs: 0,
    idleCapacity: 8,
    freeDiskBytes: HUGE_DISK,
    version: 'test',
    ...overrides,
  }
}

describe('agents table', () => {
  it('records a heartbeat only when it was signed after the one on record, and says if the agent drains', async () => {
    const first = beat({ activeJobs: 1 })
    expect(await recordHeartbeat(db, first, 2_000)).toEqual({ draining: false })
    expect(await recordHeartbeat(db, { ...first, activeJobs: 3 }, 1_000)).toBeNull()
    expect(await recordHeartbeat(db, { ...first, activeJobs: 3 }, 2_000)).toBeNull()
    expect((await getAgent(db, first.agentId))?.active_jobs).toBe(1)
    await agentDrainingStatement(db, first.agentId, true).run()
    expect(await recordHeartbeat(db, { ...first, activeJobs: 2 }, 3_000)).toEqual({
      draining: true,
    })
    expect((await getAgent(db, first.agentId))?.active_jobs).toBe(2)
  })

  it('gives room by free transfer slots: parked torrents cost none, draining and silent agents get none', async () => {
    await db.prepare('UPDATE agents SET last_heartbeat_at = 0').run()
    const busy = beat({ activeJobs: 3, transfers: 3 })
    const parking = beat({ activeJobs: 7, transfers: 1, parkedJobs: 6 })
    const full = beat({ activeJobs: 4, transfers: 4 })
    const idleFull = beat({ activeJobs: 12, transfers: 2, parkedJobs: 10 })
    const draining = beat()
    // An agent too old to report transfers: every job counts as one.
    const old = beat({ activeJobs: 2 })
    for (const b of [busy, parking, full, idleFull, draining, old])
      expect(await recordHeartbeat(db, b, Date.now())).not.toBeNull()
    await agentDrainingStatement(db, draining.agentId, true).run()

    const room = await agentsWithRoom(db, Date.now())
    expect(room.map((a) => [a.id, a.free_slots])).toEqual([
      [parking.agentId, 3],
      [old.agentId, 2],
      [busy.agentId, 1],
    ])
    expect(await agentsWithRoom(db, Date.now() + 60_000)).toEqual([])
  })
})
