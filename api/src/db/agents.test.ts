import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { AgentHeartbeat } from '@tseeder/shared'
import { findLeastLoadedAgent, getAgent, recordHeartbeat } from './agents.ts'

const db = env.DB

/** Far more disk than any other test's agents report, so only this file's agents qualify. */
const HUGE_DISK = 2 ** 52

function beat(overrides: Partial<AgentHeartbeat> = {}): AgentHeartbeat {
  return {
    agentId: `agent-${crypto.randomUUID()}`,
    url: 'http://127.0.0.1:1',
    capacity: 4,
    activeJobs: 0,
    freeDiskBytes: HUGE_DISK,
    version: 'test',
    ...overrides,
  }
}

describe('agents table', () => {
  it('records a heartbeat only when it was signed after the one on record', async () => {
    const first = beat({ activeJobs: 1 })
    expect(await recordHeartbeat(db, first, 2_000)).toBe(true)
    expect(await recordHeartbeat(db, { ...first, activeJobs: 3 }, 1_000)).toBe(false)
    expect(await recordHeartbeat(db, { ...first, activeJobs: 3 }, 2_000)).toBe(false)
    expect((await getAgent(db, first.agentId))?.active_jobs).toBe(1)
    expect(await recordHeartbeat(db, { ...first, activeJobs: 2 }, 3_000)).toBe(true)
    expect((await getAgent(db, first.agentId))?.active_jobs).toBe(2)
  })

  it('finds the least-loaded recent agent with a free slot and enough disk', async () => {
    const busy = beat({ activeJobs: 3 })
    const idle = beat({ activeJobs: 1 })
    const full = beat({ activeJobs: 4 })
    const small = beat({ freeDiskBytes: HUGE_DISK / 2 })
    for (const b of [busy, idle, full, small]) await recordHeartbeat(db, b, Date.now())
    const picked = await findLeastLoadedAgent(db, Date.now() - 60_000, HUGE_DISK)
    expect(picked?.id).toBe(idle.agentId)
    expect(await findLeastLoadedAgent(db, Date.now() + 60_000, HUGE_DISK)).toBeNull()
  })
})
