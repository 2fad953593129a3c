import type { JobEvent } from './schemas/events.ts'
import type { Job } from './schemas/job.ts'

/**
 * A job as the API lists it, for unit tests: downloading, 40 % of 1000 bytes, unless overridden.
 *
 * @example
 * testJob({ id: 'a', status: 'paused' })
 */
export function testJob(overrides: Partial<Job> & Pick<Job, 'id'>): Job {
  return {
    infohash: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a',
    name: `job ${overrides.id}`,
    status: 'downloading',
    progressPct: 40,
    bytesDownloaded: 400,
    bytesTotal: 1000,
    downloadSpeed: 100,
    uploadSpeed: 0,
    eta: 6,
    peers: 2,
    seeds: 1,
    selectedFiles: null,
    awaitingFiles: false,
    queuePosition: null,
    waiting: null,
    createdAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:00:00.000Z',
    ...overrides,
  }
}

/**
 * A progress event for unit tests: `progressPct` of 1000 bytes downloaded.
 *
 * @example
 * reduceLiveJobs(state, { type: 'event', event: testProgress('a', 1, 50) })
 */
export function testProgress(
  jobId: string,
  seq: number,
  progressPct: number,
  overrides: Partial<Extract<JobEvent, { type: 'progress' }>> = {},
): Extract<JobEvent, { type: 'progress' }> {
  return {
    type: 'progress',
    jobId,
    seq,
    progressPct,
    bytesDownloaded: progressPct * 10,
    bytesTotal: 1000,
    downloadSpeed: 80,
    uploadSpeed: 0,
    eta: 5,
    peers: 3,
    seeds: 2,
    ...overrides,
  }
}
