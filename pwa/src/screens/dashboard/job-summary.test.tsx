import { type Job } from '@tseeder/shared'
import { JobSummary } from '@tseeder/shared/ui'
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

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

  it('shows a queued job’s place in line instead of empty figures', () => {
    render(
      <JobSummary
        job={job({
          status: 'queued',
          progressPct: 0,
          bytesDownloaded: 0,
          bytesTotal: 0,
          queuePosition: 3,
          waiting: { reason: 'in_line', since: '2026-11-28T08:00:00.000Z', until: null },
        })}
      />,
    )
    expect(screen.getByText('In line — 3rd · starts as soon as an agent is free')).toBeTruthy()
    expect(screen.queryByText(/of \?/)).toBeNull()
    expect(screen.queryByRole('progressbar')).toBeNull()
  })

  it('names the plan’s limit when the owner’s own transfers hold the job back', () => {
    render(
      <JobSummary
        maxTransfers={2}
        job={job({
          status: 'queued',
          progressPct: 0,
          bytesDownloaded: 0,
          queuePosition: 1,
          waiting: { reason: 'own_limit', since: '2026-11-28T08:00:00.000Z', until: null },
        })}
      />,
    )
    expect(
      screen.getByText('Waiting for one of your transfers to finish (your plan runs 2 at a time)'),
    ).toBeTruthy()
  })

  it('shows why a parked job waits, and the text moves on as time passes without events', () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-28T09:00:00.000Z') })
    render(
      <JobSummary
        job={job({
          downloadSpeed: 0,
          peers: 0,
          seeds: 0,
          eta: null,
          waiting: {
            reason: 'peers',
            since: '2026-11-28T08:56:00.000Z',
            until: '2026-11-28T09:26:00.000Z',
          },
        })}
      />,
    )
    const line = screen.getByText(/^Looking for peers — none seen for 4m · gives up at /)
    expect(line.textContent).toContain(
      new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(
        new Date('2026-11-28T09:26:00.000Z'),
      ),
    )
    // What was downloaded before the peers went away still shows; speed and time left do not.
    expect(screen.getByRole('progressbar')).toBeTruthy()
    expect(screen.getByText('400 kB of 1 MB')).toBeTruthy()
    expect(screen.queryByLabelText('Time left')).toBeNull()
    act(() => void vi.advanceTimersByTime(60_000))
    expect(screen.getByText(/^Looking for peers — none seen for 5m/)).toBeTruthy()
  })

  it('counts down to an agent retry second by second', () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-28T09:00:00.000Z') })
    render(
      <JobSummary
        job={job({
          status: 'queued',
          progressPct: 0,
          bytesDownloaded: 0,
          queuePosition: 2,
          waiting: {
            reason: 'retry_later',
            since: '2026-11-28T08:59:30.000Z',
            until: '2026-11-28T09:00:40.000Z',
          },
        })}
      />,
    )
    expect(screen.getByText('An agent failed; trying again in 40s')).toBeTruthy()
    act(() => void vi.advanceTimersByTime(5_000))
    expect(screen.getByText('An agent failed; trying again in 35s')).toBeTruthy()
  })
})

describe('JobSummary with stale figures (offline)', () => {
  it('leaves out speed, time left and peers, which only mean something live', () => {
    render(<JobSummary job={job({})} stale />)
    expect(screen.queryByLabelText('Download speed')).toBeNull()
    expect(screen.queryByLabelText('Time left')).toBeNull()
    expect(screen.queryByText(/peers/)).toBeNull()
    expect(screen.getByText('400 kB of 1 MB')).toBeTruthy()
    expect(screen.getByRole('article').getAttribute('data-stale')).toBe('true')
  })
})
