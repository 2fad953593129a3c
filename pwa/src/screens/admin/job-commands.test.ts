import { describe, expect, it } from 'vitest'
import { jobCommands } from './job-commands.tsx'

describe('operator commands on a job', () => {
  it('offer cancel on a running job, retry on a failed one, and delete on every job', () => {
    expect(jobCommands('downloading')).toEqual(['cancel', 'delete'])
    expect(jobCommands('queued')).toEqual(['cancel', 'delete'])
    expect(jobCommands('failed')).toEqual(['retry', 'delete'])
    expect(jobCommands('completed')).toEqual(['delete'])
    expect(jobCommands('cancelled')).toEqual(['delete'])
  })
})
