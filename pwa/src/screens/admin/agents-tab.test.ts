import { describe, expect, it } from 'vitest'
import { AGENT_STALE_MS } from '@tseeder/shared'
import { isStale } from './agents-tab.tsx'
import { formatAge } from './time.ts'

const now = Date.parse('2026-01-01T12:00:00Z')
function agent(secondsAgo: number, healthy = true) {
  return {
    id: 'a1',
    url: 'http://127.0.0.1:1',
    capacity: 4,
    activeJobs: 1,
    transfers: 1,
    parkedJobs: 0,
    idleCapacity: 16,
    draining: false,
    freeDiskBytes: 1e9,
    version: '0.1.0',
    lastHeartbeatAt: new Date(now - secondsAgo * 1000).toISOString(),
    healthy,
  }
}

describe('agent health', () => {
  it('flags agents silent for longer than the limit, or reported unhealthy', () => {
    expect(isStale(agent(5), now)).toBe(false)
    expect(isStale(agent(AGENT_STALE_MS / 1000 + 1), now)).toBe(true)
    expect(isStale(agent(5, false), now)).toBe(true)
  })

  it('says how long ago the last heartbeat was', () => {
    expect(formatAge(agent(5).lastHeartbeatAt, now)).toMatch(/5 seconds ago/)
    expect(formatAge(agent(180).lastHeartbeatAt, now)).toMatch(/3 minutes ago/)
  })
})
