import { testJob } from '@tseeder/shared/test-fixtures'
import { renderToStaticMarkup } from 'react-dom/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Connection, JobCache } from '../storage.ts'
import { Popup } from './popup.tsx'

const NOW = Date.parse('2026-11-28T09:00:00.000Z')
const SERVER = 'https://tseeder.example'

const connection: Connection = {
  serverUrl: SERVER,
  token: 'tsk_test',
  email: 'ada@example.com',
  planName: 'Free',
  connectedAt: '2026-11-01T00:00:00.000Z',
  revoked: false,
}

afterEach(() => vi.useRealTimers())

/** The popup's first paint from the cached list (what it shows before the server answers). */
function firstPaint(cache: JobCache, account: Connection = connection): string {
  const html = renderToStaticMarkup(<Popup initialConnection={account} cache={cache} />)
  // Text only, as a person reads it.
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/&#x27;/g, "'")
}

describe('popup', () => {
  it('shows a queued job’s place in line and why a parked job waits, under each job', () => {
    vi.useFakeTimers({ now: NOW })
    const text = firstPaint({
      serverUrl: SERVER,
      fetchedAt: '2026-11-28T08:59:00.000Z',
      jobs: [
        testJob({
          id: 'queued',
          name: 'Queued one',
          status: 'queued',
          progressPct: 0,
          bytesDownloaded: 0,
          bytesTotal: 0,
          queuePosition: 3,
          waiting: { reason: 'in_line', since: '2026-11-28T08:55:00.000Z', until: null },
        }),
        testJob({
          id: 'parked',
          name: 'Parked one',
          status: 'metadata_fetch',
          progressPct: 0,
          bytesDownloaded: 0,
          bytesTotal: 0,
          waiting: { reason: 'metadata', since: '2026-11-28T08:58:00.000Z', until: null },
        }),
        testJob({
          id: 'dead',
          name: 'Dead one',
          waiting: { reason: 'peers', since: '2026-11-28T08:56:00.000Z', until: null },
        }),
      ],
    })
    expect(text).toContain('Queued one')
    expect(text).toContain('In line — 3rd · starts as soon as an agent is free')
    expect(text).toContain('Fetching metadata — 2m')
    expect(text).toContain('Looking for peers — none seen for 4m')
    expect(text).not.toContain('0 B of ?')
  })

  it('names the plan’s transfers at a time, as known when it connected, for a job held back by them', () => {
    const text = firstPaint(
      {
        serverUrl: SERVER,
        fetchedAt: '2026-11-28T08:59:00.000Z',
        jobs: [
          testJob({
            id: 'held',
            status: 'queued',
            progressPct: 0,
            bytesDownloaded: 0,
            queuePosition: 1,
            waiting: { reason: 'own_limit', since: '2026-11-28T08:55:00.000Z', until: null },
          }),
        ],
      },
      { ...connection, maxTransfers: 2 },
    )
    expect(text).toContain(
      'Waiting for one of your transfers to finish (your plan runs 2 at a time)',
    )
  })

  it('shows no waiting text under a job that transfers', () => {
    const text = firstPaint({
      serverUrl: SERVER,
      fetchedAt: '2026-11-28T08:59:00.000Z',
      jobs: [testJob({ id: 'moving', name: 'Moving one' })],
    })
    expect(text).toContain('Moving one')
    expect(text).toMatch(/ETA/)
    expect(text).not.toMatch(/In line|Fetching metadata|Looking for peers|Peers found/)
  })
})
