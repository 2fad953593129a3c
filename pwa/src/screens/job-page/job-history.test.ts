import { describe, expect, it } from 'vitest'
import { describeEvent } from './job-history.tsx'

describe('describeEvent', () => {
  it('words status changes with the shared labels and the failure reason', () => {
    expect(describeEvent({ type: 'status', jobId: 'j', seq: 1, status: 'metadata_fetch' })).toBe(
      'Fetching metadata',
    )
    expect(
      describeEvent({
        type: 'status',
        jobId: 'j',
        seq: 2,
        status: 'failed',
        error: { code: 'no_peers', message: 'No peer had the data' },
      }),
    ).toBe('Failed: No peer had the data')
  })

  it('summarises the file list and errors, and leaves progress ticks out', () => {
    expect(
      describeEvent({
        type: 'metadata',
        jobId: 'j',
        seq: 3,
        name: 'x',
        bytesTotal: 1_500_000,
        fileCount: 1,
      }),
    ).toBe('File list received: 1 file, 1.5 MB')
    expect(
      describeEvent({ type: 'error', jobId: 'j', seq: 4, code: 'disk', message: 'Disk full' }),
    ).toBe('Error: Disk full')
    expect(
      describeEvent({
        type: 'progress',
        jobId: 'j',
        seq: 5,
        progressPct: 1,
        bytesDownloaded: 1,
        bytesTotal: 100,
        downloadSpeed: 0,
        uploadSpeed: 0,
        eta: null,
        peers: 0,
        seeds: 0,
      }),
    ).toBeNull()
  })
})
