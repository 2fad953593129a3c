import type { Job } from '@tseeder/shared'
import { testJob } from '@tseeder/shared/test-fixtures'
import { describe, expect, it } from 'vitest'
import { availableActions } from './available-actions.ts'

const job = (status: Job['status'], awaitingFiles = false) =>
  testJob({ id: 'j1', status, awaitingFiles })

describe('availableActions', () => {
  it('offers pause, cancel and delete while downloading', () => {
    expect(availableActions(job('downloading'))).toEqual(['pause', 'cancel', 'delete'])
  })

  it('offers resume for a paused job', () => {
    expect(availableActions(job('paused'))).toEqual(['resume', 'cancel', 'delete'])
  })

  it('leaves resuming a job that awaits a file choice to its page', () => {
    expect(availableActions(job('paused', true))).not.toContain('resume')
  })

  it('offers retry but not cancel for a failed job', () => {
    expect(availableActions(job('failed'))).toEqual(['retry', 'delete'])
  })

  it('offers only delete for completed and cancelled jobs', () => {
    expect(availableActions(job('completed'))).toEqual(['delete'])
    expect(availableActions(job('cancelled'))).toEqual(['delete'])
  })
})
