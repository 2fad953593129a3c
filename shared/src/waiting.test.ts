import { describe, expect, it } from 'vitest'
import type { JobWaiting, WaitingReason } from './schemas/events.ts'
import { testJob } from './test-fixtures.ts'
import { isWaiting, planCapacityText, waitingText } from './waiting.ts'

const NOW = Date.parse('2026-11-27T16:00:00Z')
const at = (secondsFromNow: number) => new Date(NOW + secondsFromNow * 1000).toISOString()
const clock = { now: NOW, locale: 'en-GB', timeZone: 'UTC' }

const waiting = (reason: WaitingReason, patch: Partial<JobWaiting> = {}): JobWaiting => ({
  reason,
  since: at(-120),
  until: null,
  ...patch,
})

const queued = (patch: Parameters<typeof testJob>[0]) =>
  testJob({ status: 'queued', progressPct: 0, bytesDownloaded: 0, bytesTotal: 0, ...patch })

describe('waitingText', () => {
  it('gives a queued job its place in line', () => {
    const job = queued({ id: 'a', queuePosition: 3, waiting: waiting('in_line') })
    expect(waitingText(job, clock)).toBe('In line — 3rd · starts as soon as an agent is free')
  })

  it('reads every place in line as an ordinal', () => {
    const places = [1, 2, 11, 22].map((queuePosition) =>
      waitingText(queued({ id: 'a', queuePosition, waiting: waiting('in_line') }), clock),
    )
    expect(places).toEqual([
      'In line — 1st · starts as soon as an agent is free',
      'In line — 2nd · starts as soon as an agent is free',
      'In line — 11th · starts as soon as an agent is free',
      'In line — 22nd · starts as soon as an agent is free',
    ])
  })

  it('says when a job in line gives up, and leaves it out when it never does', () => {
    const until = at(40 * 60)
    const job = queued({ id: 'a', queuePosition: 1, waiting: waiting('in_line', { until }) })
    expect(waitingText(job, clock)).toBe(
      'In line — 1st · starts as soon as an agent is free · gives up at 16:40',
    )
    const tomorrow = queued({
      id: 'a',
      queuePosition: 1,
      waiting: waiting('in_line', { until: at(24 * 3600) }),
    })
    expect(waitingText(tomorrow, clock)).toMatch(/ · gives up at Sat 16:00$/)
  })

  it('shows a queued job without a known place or reason as in line', () => {
    expect(waitingText(queued({ id: 'a' }), clock)).toBe(
      'In line · starts as soon as an agent is free',
    )
  })

  it('names the plan’s transfer limit when the owner’s own transfers fill it', () => {
    const job = queued({ id: 'a', waiting: waiting('own_limit') })
    expect(waitingText(job, { ...clock, maxTransfers: 2 })).toBe(
      'Waiting for one of your transfers to finish (your plan runs 2 at a time)',
    )
    expect(waitingText(job, { ...clock, maxTransfers: 1 })).toBe(
      'Waiting for your other transfer to finish (your plan runs 1 at a time)',
    )
    expect(waitingText(job, clock)).toBe(
      'Waiting for one of your transfers to finish (your plan’s limit)',
    )
    const until = at(3600)
    expect(
      waitingText(queued({ id: 'a', waiting: waiting('own_limit', { until }) }), {
        ...clock,
        maxTransfers: 2,
      }),
    ).toBe(
      'Waiting for one of your transfers to finish (your plan runs 2 at a time) · gives up at 17:00',
    )
  })

  it('counts down to the next try after an agent failed', () => {
    const job = (until: string | null) =>
      queued({ id: 'a', queuePosition: 2, waiting: waiting('retry_later', { until }) })
    expect(waitingText(job(at(40)), clock)).toBe('An agent failed; trying again in 40s')
    expect(waitingText(job(at(39.2)), clock)).toBe('An agent failed; trying again in 40s')
    expect(waitingText(job(at(150)), clock)).toBe('An agent failed; trying again in 2m 30s')
    expect(waitingText(job(at(0)), clock)).toBe('An agent failed; trying again now')
    expect(waitingText(job(at(-5)), clock)).toBe('An agent failed; trying again now')
    expect(waitingText(job(null), clock)).toBe('An agent failed; trying again soon')
  })

  it('tells how long metadata has been looked for and when it gives up', () => {
    const job = (since: string, until: string | null) =>
      testJob({
        id: 'a',
        status: 'metadata_fetch',
        progressPct: 0,
        bytesDownloaded: 0,
        bytesTotal: 0,
        waiting: waiting('metadata', { since, until }),
      })
    expect(waitingText(job(at(-120), at(40 * 60)), clock)).toBe(
      'Fetching metadata — 2m · gives up at 16:40',
    )
    expect(waitingText(job(at(-45), null), clock)).toBe('Fetching metadata — 45s')
    expect(waitingText(job(at(-179), null), clock)).toBe('Fetching metadata — 2m')
    expect(waitingText(job(at(-3725), null), clock)).toBe('Fetching metadata — 1h 2m')
    // A `since` a little ahead of this device's clock reads as just now.
    expect(waitingText(job(at(3), null), clock)).toBe('Fetching metadata — 0s')
  })

  it('tells how long no peer has been seen and when it gives up', () => {
    const job = testJob({
      id: 'a',
      waiting: waiting('peers', { since: at(-240), until: at(4200) }),
    })
    expect(waitingText(job, clock)).toBe('Looking for peers — none seen for 4m · gives up at 17:10')
    const forever = testJob({ id: 'a', waiting: waiting('peers', { since: at(-60) }) })
    expect(waitingText(forever, clock)).toBe('Looking for peers — none seen for 1m')
  })

  it('says peers are there but every transfer slot is busy', () => {
    const job = testJob({ id: 'a', waiting: waiting('transfer_slot') })
    expect(waitingText(job, clock)).toBe('Peers found — waiting for a free transfer slot')
    const until = at(1800)
    expect(
      waitingText(testJob({ id: 'a', waiting: waiting('transfer_slot', { until }) }), clock),
    ).toBe('Peers found — waiting for a free transfer slot · gives up at 16:30')
  })

  it('moves with the clock', () => {
    const job = testJob({ id: 'a', waiting: waiting('peers', { since: at(-240) }) })
    expect(waitingText(job, { ...clock, now: NOW + 60_000 })).toBe(
      'Looking for peers — none seen for 5m',
    )
  })

  it('has nothing to say of a job that transfers, is paused or has ended', () => {
    expect(waitingText(testJob({ id: 'a' }), clock)).toBeNull()
    for (const status of ['paused', 'completed', 'failed', 'cancelled'] as const) {
      // A stale waiting state on a job that stopped is not shown.
      const job = testJob({ id: 'a', status, queuePosition: 2, waiting: waiting('in_line') })
      expect(waitingText(job, clock)).toBeNull()
      expect(isWaiting(job)).toBe(false)
    }
  })
})

describe('isWaiting', () => {
  it('is true for a queued or parked job and false for a transferring one', () => {
    expect(isWaiting(queued({ id: 'a' }))).toBe(true)
    expect(isWaiting(testJob({ id: 'a', waiting: waiting('peers') }))).toBe(true)
    expect(isWaiting(testJob({ id: 'a' }))).toBe(false)
  })
})

describe('planCapacityText', () => {
  it('says how many jobs a plan transfers at once and how many may wait', () => {
    expect(planCapacityText({ maxActiveJobs: 2, maxQueuedJobs: 10 })).toBe(
      '2 transfers at a time · up to 10 waiting',
    )
    expect(planCapacityText({ maxActiveJobs: 1, maxQueuedJobs: 1 })).toBe(
      '1 transfer at a time · up to 1 waiting',
    )
    expect(planCapacityText({ maxActiveJobs: null, maxQueuedJobs: null })).toBe(
      'any number of transfers at a time · any number waiting',
    )
  })
})
