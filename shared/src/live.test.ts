import { describe, expect, it } from 'vitest'
import { emptyLiveJobs, isUnknownJob, readJobEvent, reduceLiveJobs } from './live.ts'
import { parseJobEvent } from './schemas/events.ts'
import type { JobStatus } from './schemas/status.ts'
import type { Job } from './schemas/job.ts'
import { testJob, testProgress } from './test-fixtures.ts'

const job = (id: string, createdAt: string, patch: Partial<Job> = {}): Job =>
  testJob({
    id,
    name: id,
    progressPct: 10,
    bytesDownloaded: 100,
    downloadSpeed: 50,
    eta: 18,
    peers: 3,
    createdAt,
    updatedAt: createdAt,
    ...patch,
  })

const progress = (jobId: string, seq: number, progressPct: number) =>
  testProgress(jobId, seq, progressPct, { downloadSpeed: 99, uploadSpeed: 1, peers: 4 })

describe('reduceLiveJobs', () => {
  const start = reduceLiveJobs(emptyLiveJobs, {
    type: 'reset',
    jobs: [job('old', '2026-01-01T00:00:00Z'), job('new', '2026-02-01T00:00:00Z')],
  })

  it('lists jobs newest first', () => {
    expect(start.jobs.map((j) => j.id)).toEqual(['new', 'old'])
  })

  it('applies progress and ignores events older than the last one applied', () => {
    const a = reduceLiveJobs(start, { type: 'event', event: progress('old', 5, 40) })
    const b = reduceLiveJobs(a, { type: 'event', event: progress('old', 4, 20) })
    const c = reduceLiveJobs(b, { type: 'event', event: progress('old', 5, 30) })
    expect(c.jobs.find((j) => j.id === 'old')).toMatchObject({ progressPct: 40, peers: 4 })
    expect(c).toBe(a)
  })

  it('keeps every file’s bytes while each progress event names only the files that changed', () => {
    const a = reduceLiveJobs(start, {
      type: 'event',
      event: testProgress('old', 1, 10, { fileBytes: { 0: 100, 1: 0 } }),
    })
    const b = reduceLiveJobs(a, {
      type: 'event',
      event: testProgress('old', 2, 20, { fileBytes: { 1: 50 } }),
    })
    const c = reduceLiveJobs(b, { type: 'event', event: testProgress('old', 3, 25) })
    expect(c.jobs.find((j) => j.id === 'old')?.fileBytes).toEqual({ 0: 100, 1: 50 })
  })

  it('completes a job with full progress and no speed, and keeps a failure reason', () => {
    const done = reduceLiveJobs(start, {
      type: 'event',
      event: { type: 'status', jobId: 'new', seq: 9, status: 'completed' },
    })
    expect(done.jobs[0]).toMatchObject({
      status: 'completed',
      progressPct: 100,
      bytesDownloaded: 1000,
      downloadSpeed: 0,
    })
    const failed = reduceLiveJobs(start, {
      type: 'event',
      event: {
        type: 'status',
        jobId: 'old',
        seq: 2,
        status: 'failed',
        error: { code: 'no_peers', message: 'No peers found.' },
      },
    })
    expect(failed.jobs[1]).toMatchObject({ status: 'failed', error: { code: 'no_peers' } })
  })

  it('takes the waiting state from progress events, so parking and unparking show live', () => {
    const waiting = {
      reason: 'peers' as const,
      since: '2026-01-01T00:00:00.000Z',
      until: '2026-01-01T00:30:00.000Z',
    }
    const parked = reduceLiveJobs(start, {
      type: 'event',
      event: testProgress('new', 1, 10, { waiting }),
    })
    expect(parked.jobs[0]!.waiting).toEqual(waiting)
    const older = reduceLiveJobs(parked, { type: 'event', event: testProgress('new', 2, 10) })
    expect(older.jobs[0]!.waiting).toEqual(waiting)
    const moving = reduceLiveJobs(older, {
      type: 'event',
      event: testProgress('new', 3, 12, { waiting: null }),
    })
    expect(moving.jobs[0]!.waiting).toBeNull()
  })

  it('forgets the place in line and a line reason once the job leaves the line', () => {
    const inLine = reduceLiveJobs(emptyLiveJobs, {
      type: 'reset',
      jobs: [
        job('a', '2026-01-01T00:00:00Z', {
          status: 'queued',
          queuePosition: 2,
          waiting: { reason: 'in_line', since: '2026-01-01T00:00:00.000Z', until: null },
        }),
      ],
    })
    const status = (seq: number, to: JobStatus) =>
      reduceLiveJobs(inLine, {
        type: 'event',
        event: { type: 'status', jobId: 'a', seq, status: to },
      }).jobs[0]
    for (const to of ['metadata_fetch', 'downloading', 'paused', 'cancelled', 'failed'] as const) {
      expect(status(1, to)).toMatchObject({ status: to, queuePosition: null, waiting: null })
    }
  })

  it('drops a parked reason when the job goes back in line, and any reason when it stops', () => {
    const parked = reduceLiveJobs(emptyLiveJobs, {
      type: 'reset',
      jobs: [
        job('a', '2026-01-01T00:00:00Z', {
          status: 'metadata_fetch',
          waiting: { reason: 'metadata', since: '2026-01-01T00:00:00.000Z', until: null },
        }),
      ],
    })
    const status = (to: JobStatus) =>
      reduceLiveJobs(parked, {
        type: 'event',
        event: { type: 'status', jobId: 'a', seq: 1, status: to },
      }).jobs[0]
    expect(status('queued')).toMatchObject({ status: 'queued', waiting: null })
    expect(status('paused')).toMatchObject({ status: 'paused', waiting: null })
    expect(status('downloading')!.waiting).toMatchObject({ reason: 'metadata' })
  })

  it('renames a job when its metadata arrives', () => {
    const named = reduceLiveJobs(start, {
      type: 'event',
      event: {
        type: 'metadata',
        jobId: 'new',
        seq: 1,
        name: 'Ubuntu',
        bytesTotal: 5,
        fileCount: 1,
      },
    })
    expect(named.jobs[0]).toMatchObject({ name: 'Ubuntu', bytesTotal: 5 })
  })

  it('reports events of jobs it does not hold, and remembers their sequence', () => {
    const next = reduceLiveJobs(start, { type: 'event', event: progress('elsewhere', 3, 1) })
    expect(isUnknownJob(next, 'elsewhere')).toBe(true)
    expect(next.jobs).toEqual(start.jobs)
    const added = reduceLiveJobs(next, {
      type: 'upsert',
      job: job('elsewhere', '2026-03-01T00:00:00Z'),
    })
    expect(added.jobs.map((j) => j.id)).toEqual(['elsewhere', 'new', 'old'])
    expect(reduceLiveJobs(added, { type: 'event', event: progress('elsewhere', 3, 50) })).toBe(
      added,
    )
  })

  it('keeps live progress newer than the listed copy, which the API saves only every 10 s', () => {
    const listed = job('a', '2026-01-01T00:00:00Z', {
      progressPct: 2.5,
      bytesDownloaded: 25,
      peers: 0,
    })
    const live = { ...listed, progressPct: 40, bytesDownloaded: 400, peers: 3 }
    const held = reduceLiveJobs(emptyLiveJobs, { type: 'reset', jobs: [live] })
    expect(reduceLiveJobs(held, { type: 'reset', jobs: [listed] }).jobs[0]).toMatchObject({
      progressPct: 40,
      bytesDownloaded: 400,
      peers: 3,
    })
  })

  it('takes the listed copy when the status changed meanwhile', () => {
    const live = job('a', '2026-01-01T00:00:00Z', { progressPct: 40, bytesDownloaded: 400 })
    const listed = {
      ...live,
      status: 'completed' as const,
      progressPct: 100,
      bytesDownloaded: 1000,
    }
    const older = { ...live, status: 'paused' as const, progressPct: 10 }
    const held = reduceLiveJobs(emptyLiveJobs, { type: 'reset', jobs: [live] })
    expect(reduceLiveJobs(held, { type: 'reset', jobs: [listed] }).jobs[0]).toEqual(listed)
    expect(reduceLiveJobs(held, { type: 'reset', jobs: [older] }).jobs[0]).toEqual(older)
  })

  it('removes a job', () => {
    expect(reduceLiveJobs(start, { type: 'remove', id: 'new' }).jobs.map((j) => j.id)).toEqual([
      'old',
    ])
  })
})

describe('parseJobEvent', () => {
  it('parses a job event and refuses anything else', () => {
    expect(parseJobEvent({ data: JSON.stringify(progress('x', 1, 5)) })).toMatchObject({ seq: 1 })
    expect(parseJobEvent({ data: 'not json' })).toBeNull()
    expect(parseJobEvent({ data: '{"type":"progress"}' })).toBeNull()
  })
})

describe('readJobEvent', () => {
  it('reads what the live store needs to place an event and refuses anything else', () => {
    const event = progress('x', 1, 5)
    expect(readJobEvent({ data: JSON.stringify(event) })).toEqual(event)
    expect(readJobEvent({ data: 'not json' })).toBeNull()
    expect(readJobEvent({ data: 'null' })).toBeNull()
    expect(readJobEvent({ data: '{"type":"progress","jobId":"x"}' })).toBeNull()
    expect(readJobEvent({ data: '{"type":"renamed","jobId":"x","seq":2}' })).toBeNull()
    expect(readJobEvent({ data: '{"type":"status","jobId":7,"seq":2}' })).toBeNull()
  })
})
