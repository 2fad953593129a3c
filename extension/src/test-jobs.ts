// Job fixtures for unit tests, shaped exactly as the API's Job schema.
import type { Job } from '@tseeder/shared'

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
    createdAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:00:00.000Z',
    ...overrides,
  }
}
