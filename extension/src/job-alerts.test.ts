import { describe, expect, it } from 'vitest'
import {
  activeJobCount,
  badgeText,
  jobsToNotify,
  NOTIFIED_MEMORY,
  rememberNotified,
} from './job-alerts.ts'
import { testJob } from '@tseeder/shared/test-fixtures'

const CONNECTED_AT = '2026-01-01T09:00:00.000Z'

describe('badge count', () => {
  it('counts the jobs that hold or wait for an agent', () => {
    const jobs = [
      testJob({ id: 'a', status: 'submitted' }),
      testJob({ id: 'b', status: 'metadata_fetch' }),
      testJob({ id: 'c', status: 'queued' }),
      testJob({ id: 'd', status: 'downloading' }),
      testJob({ id: 'e', status: 'uploading' }),
      testJob({ id: 'f', status: 'paused' }),
      testJob({ id: 'g', status: 'completed' }),
      testJob({ id: 'h', status: 'failed' }),
      testJob({ id: 'i', status: 'cancelled' }),
    ]
    expect(activeJobCount(jobs)).toBe(5)
  })

  it('shows nothing at zero and caps the text at 99+', () => {
    expect(badgeText(0)).toBe('')
    expect(badgeText(7)).toBe('7')
    expect(badgeText(100)).toBe('99+')
  })
})

describe('notification dedup', () => {
  const done = testJob({ id: 'done', status: 'completed', completedAt: '2026-01-01T10:05:00.000Z' })
  const broken = testJob({ id: 'broken', status: 'failed', updatedAt: '2026-01-01T10:06:00.000Z' })
  const running = testJob({ id: 'running' })

  it('announces completed and failed jobs that were not announced yet', () => {
    expect(jobsToNotify([done, broken, running], [], CONNECTED_AT).map((j) => j.id)).toEqual([
      'done',
      'broken',
    ])
  })

  it('announces each job once', () => {
    const notified = rememberNotified([], ['done'])
    expect(jobsToNotify([done, broken], notified, CONNECTED_AT).map((j) => j.id)).toEqual([
      'broken',
    ])
  })

  it('does not announce jobs that finished before the extension was connected', () => {
    expect(jobsToNotify([done], [], '2026-01-02T00:00:00.000Z')).toEqual([])
  })

  it('remembers a bounded number of jobs, forgetting the oldest first', () => {
    const many = Array.from({ length: NOTIFIED_MEMORY }, (_, i) => `job-${i}`)
    const next = rememberNotified(many, ['newest'])
    expect(next).toHaveLength(NOTIFIED_MEMORY)
    expect(next[0]).toBe('job-1')
    expect(next.at(-1)).toBe('newest')
  })
})
