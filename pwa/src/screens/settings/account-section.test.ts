import type { Plan, Usage } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import { meters, monthName, planAllowances, planLimits } from './account-section.tsx'

const plan: Plan = {
  id: 'free',
  name: 'Free',
  maxActiveJobs: 2,
  maxQueuedJobs: 10,
  maxQueueWaitSeconds: 86_400,
  priority: 0,
  storageBytes: 5_000_000_000,
  maxFileBytes: null,
  bandwidthBytesPerMonth: 50_000_000_000,
  retentionDays: null,
  maxSessions: null,
}
const usage: Usage = {
  storageBytes: 0,
  bandwidthBytes: 0,
  bandwidthPeriod: '2026-11',
  activeJobs: 5,
  transfers: 2,
}

describe('monthName', () => {
  it('reads a billing period as a month and year', () => {
    expect(monthName('2026-11')).toMatch(/2026/)
    expect(monthName('2026-11')).not.toBe('2026-11')
  })

  it('keeps a period it cannot read as it is', () => {
    expect(monthName('soon')).toBe('soon')
  })
})

describe('the plan’s room for jobs', () => {
  it('says how many transfers run at a time, how many may wait, and for how long', () => {
    expect(planLimits(plan)).toEqual([
      '2 transfers at a time · up to 10 waiting',
      'a job waits up to 1d for an agent',
    ])
  })

  it('meters transfers and waiting jobs against their own limits', () => {
    const byLabel = Object.fromEntries(meters(plan, usage).map((m) => [m.label, m]))
    expect(byLabel['Transfers']).toMatchObject({ used: 2, limit: 2 })
    expect(byLabel['Waiting']).toMatchObject({ used: 3, limit: 10 })
    expect(byLabel['Active jobs']).toBeUndefined()
  })
})

describe('the plan’s allowances', () => {
  it('reads the device limit as a limit, not as a count of the user’s devices', () => {
    const free = { ...plan, maxSessions: 3, retentionDays: 7, maxFileBytes: 2_000_000_000 }
    expect(planAllowances(free)).toEqual([
      'files up to 2 GB',
      'files kept 7 days',
      'up to 3 signed-in devices',
    ])
    expect(planAllowances({ ...plan, maxSessions: 1 })).toEqual(['up to 1 signed-in device'])
  })
})
