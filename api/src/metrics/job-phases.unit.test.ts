import { describe, expect, it } from 'vitest'
import type { JobEvent, JobStatus } from '@tseeder/shared'
import { NO_MARKS, timePhases, type PhaseMarks, type TimedPhase } from './job-phases.ts'

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString()
const status = (s: JobStatus, ms: number) =>
  ({ type: 'status', jobId: 'job-1', seq: 1, status: s, at: at(ms) }) as JobEvent
const bytes = (downloaded: number, ms: number) =>
  ({
    type: 'progress',
    jobId: 'job-1',
    seq: 1,
    at: at(ms),
    progressPct: 0,
    bytesDownloaded: downloaded,
    bytesTotal: 1000,
    downloadSpeed: 0,
    uploadSpeed: 0,
    eta: null,
    peers: 0,
    seeds: 0,
  }) as JobEvent

/** The phases a sequence of events times, the agent being `agent-1` throughout. */
function run(events: JobEvent[], marks: PhaseMarks = NO_MARKS) {
  const phases: TimedPhase[] = []
  for (const event of events) {
    const next = timePhases(marks, event, 'agent-1')
    marks = next.marks
    phases.push(...next.phases)
  }
  return { marks, phases: phases.map((p) => [p.phase, p.ms]) }
}

describe('timing a job run', () => {
  it('times each phase from the events of a run that completes', () => {
    const { phases, marks } = run([
      status('submitted', 0),
      status('queued', 0),
      status('metadata_fetch', 400),
      status('downloading', 900),
      bytes(0, 950),
      bytes(10, 1500),
      bytes(500, 2000),
      status('uploading', 7500),
      status('completed', 9000),
    ])
    expect(phases).toEqual([
      ['submit_to_dispatch', 400],
      ['dispatch_to_first_byte', 1100],
      ['download', 6000],
      ['upload', 1500],
    ])
    expect(marks).toMatchObject({ status: 'completed', dispatchedAt: null, submittedAt: null })
  })

  it('counts a download that ends in completion without an uploading phase', () => {
    const { phases } = run([
      status('submitted', 0),
      status('metadata_fetch', 100),
      bytes(10, 300),
      status('completed', 800),
    ])
    expect(phases).toEqual([
      ['submit_to_dispatch', 100],
      ['dispatch_to_first_byte', 200],
      ['download', 500],
    ])
  })

  it('starts over on a re-queued run, timing submit to dispatch only once', () => {
    const { phases } = run([
      status('submitted', 0),
      status('queued', 0),
      status('metadata_fetch', 100),
      bytes(10, 300),
      status('queued', 1000),
      status('metadata_fetch', 5000),
      bytes(20, 5100),
      status('completed', 6000),
    ])
    expect(phases).toEqual([
      ['submit_to_dispatch', 100],
      ['dispatch_to_first_byte', 200],
      ['dispatch_to_first_byte', 100],
      ['download', 900],
    ])
  })

  it('times nothing of a run that fails, nor of one completed from stored content', () => {
    expect(
      run([status('submitted', 0), status('metadata_fetch', 10), status('failed', 20)]).phases,
    ).toEqual([['submit_to_dispatch', 10]])
    expect(run([status('submitted', 0), status('completed', 5)]).phases).toEqual([])
  })
})
