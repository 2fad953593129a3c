import { describe, expect, it } from 'vitest'
import {
  ACTIVE_STATUSES,
  allowedActions,
  canTransition,
  DISPATCH_STATUSES,
  ENDED_STATUSES,
  RUNNING_STATUSES,
  isActiveStatus,
  isFinalStatus,
  isJobStatus,
  JOB_TRANSITIONS,
} from './lifecycle.ts'
import { JobStatus } from './schemas/status.ts'

describe('job lifecycle', () => {
  it('follows the seed: submitted → metadata_fetch → downloading → uploading → completed', () => {
    expect(canTransition('submitted', 'metadata_fetch')).toBe(true)
    expect(canTransition('metadata_fetch', 'downloading')).toBe(true)
    expect(canTransition('downloading', 'uploading')).toBe(true)
    expect(canTransition('uploading', 'completed')).toBe(true)
  })

  it('never moves a completed or cancelled job', () => {
    for (const to of JobStatus.options) {
      expect(canTransition('completed', to)).toBe(false)
      expect(canTransition('cancelled', to)).toBe(false)
    }
    expect(isFinalStatus('completed')).toBe(true)
    expect(isFinalStatus('failed')).toBe(false)
  })

  it('lets a failed job be retried only through queued', () => {
    expect(JOB_TRANSITIONS.failed).toEqual(['queued'])
  })

  it('refuses to move a download backwards to metadata or submitted', () => {
    expect(canTransition('downloading', 'metadata_fetch')).toBe(false)
    expect(canTransition('downloading', 'submitted')).toBe(false)
    expect(canTransition('completed', 'downloading')).toBe(false)
  })

  it('names every status in the transition table and no status moves to itself', () => {
    expect(Object.keys(JOB_TRANSITIONS).sort()).toEqual([...JobStatus.options].sort())
    for (const from of JobStatus.options) expect(canTransition(from, from)).toBe(false)
  })

  it('counts only jobs that hold or wait for an agent as active', () => {
    expect(isActiveStatus('downloading')).toBe(true)
    expect(isActiveStatus('queued')).toBe(true)
    expect(isActiveStatus('paused')).toBe(false)
    expect(isActiveStatus('completed')).toBe(false)
  })

  it('groups statuses without overlap: waiting, running, paused and ended cover them all', () => {
    const groups = [...DISPATCH_STATUSES, ...RUNNING_STATUSES, 'paused', ...ENDED_STATUSES]
    expect([...groups].sort()).toEqual([...JobStatus.options].sort())
    expect([...ACTIVE_STATUSES].sort()).toEqual([...DISPATCH_STATUSES, ...RUNNING_STATUSES].sort())
  })

  it('allows each action only where the lifecycle does', () => {
    expect(allowedActions('downloading')).toEqual(['pause', 'cancel'])
    expect(allowedActions('queued')).toEqual(['pause', 'cancel'])
    expect(allowedActions('uploading')).toEqual(['cancel'])
    expect(allowedActions('paused')).toEqual(['resume', 'cancel'])
    expect(allowedActions('failed')).toEqual(['retry'])
    expect(allowedActions('completed')).toEqual([])
    expect(allowedActions('cancelled')).toEqual([])
  })

  it('tells a status from any other value without zod, as the status schema does', () => {
    for (const status of JobStatus.options) expect(isJobStatus(status)).toBe(true)
    for (const value of ['', 'done', 'Queued', null, 3]) {
      expect(isJobStatus(value)).toBe(JobStatus.safeParse(value).success)
    }
  })
})
