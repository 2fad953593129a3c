import type { Job } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import { availableActions } from './available-actions.ts'

function job(status: Job['status'], awaitingFiles = false): Job {
  return {
    id: 'j1',
    infohash: 'a'.repeat(40),
    name: 'Ubuntu 24.04 Desktop',
    status,
    progressPct: 0,
    bytesDownloaded: 0,
    bytesTotal: 0,
    downloadSpeed: 0,
    uploadSpeed: 0,
    eta: null,
    peers: 0,
    seeds: 0,
    selectedFiles: null,
    awaitingFiles,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  }
}

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
