import { type Job } from '@tseeder/shared'
import { JobSummary } from '@tseeder/shared/ui'
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'

afterEach(cleanup)

const job = (overrides: Partial<Job>): Job => ({
  id: 'j1',
  infohash: 'a'.repeat(40),
  name: 'Big file',
  status: 'downloading',
  progressPct: 40,
  bytesDownloaded: 400_000,
  bytesTotal: 1_000_000,
  downloadSpeed: 50_000,
  uploadSpeed: 0,
  eta: 12,
  peers: 3,
  seeds: 1,
  selectedFiles: null,
  awaitingFiles: false,
  queuePosition: null,
  waiting: null,
  createdAt: '2026-11-28T08:00:00.000Z',
  updatedAt: '2026-11-28T08:00:05.000Z',
  ...overrides,
})

describe('JobSummary (dashboard card and extension popup)', () => {
  it('shows speed and time left while downloading', () => {
    render(<JobSummary job={job({ bytesStored: 100_000 })} />)
    expect(screen.getByLabelText('Download speed').textContent).toMatch(/50(\.0)? kB\/s/)
    expect(screen.getByLabelText('Time left')).toBeTruthy()
    expect(screen.queryByText(/stored/)).toBeNull()
  })

  it('shows how much is stored once only storage is left to wait for', () => {
    render(
      <JobSummary
        job={job({
          status: 'uploading',
          progressPct: 100,
          bytesDownloaded: 1_000_000,
          bytesStored: 400_000,
          eta: null,
        })}
      />,
    )
    expect(screen.getByText('400 kB stored')).toBeTruthy()
    expect(screen.queryByLabelText('Download speed')).toBeNull()
    expect(screen.queryByLabelText('Time left')).toBeNull()
  })
})
