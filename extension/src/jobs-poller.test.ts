import { fakeBrowser } from 'wxt/testing/fake-browser'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { pollJobs } from './jobs-poller.ts'
import { connectionItem, jobCacheItem, notifiedJobsItem } from './storage.ts'
import { testJob } from '@tseeder/shared/test-fixtures'

const SERVER = 'https://tseeder.example.com'

function serveJobs(jobs: ReturnType<typeof testJob>[], status = 200) {
  const fetch = vi.fn(async (request: Request) => {
    expect(request.url).toBe(`${SERVER}/api/jobs?limit=100`)
    expect(request.headers.get('authorization')).toBe('Bearer tsd_test-token-0123456789')
    return status === 200
      ? Response.json({ jobs, nextCursor: null })
      : Response.json({ error: { code: 'not_signed_in', message: 'Token revoked' } }, { status })
  })
  vi.stubGlobal('fetch', fetch)
  return fetch
}

describe('background polling', () => {
  beforeEach(async () => {
    fakeBrowser.reset()
    await connectionItem.setValue({
      serverUrl: SERVER,
      token: 'tsd_test-token-0123456789',
      email: 'me@example.com',
      planName: 'Free',
      connectedAt: '2026-01-01T09:00:00.000Z',
      revoked: false,
    })
  })

  it('sets the badge to the number of active jobs and caches the list for the popup', async () => {
    const jobs = [
      testJob({ id: 'a' }),
      testJob({ id: 'b', status: 'queued' }),
      testJob({ id: 'c', status: 'paused' }),
    ]
    serveJobs(jobs)
    await pollJobs()
    expect(await fakeBrowser.action.getBadgeText({})).toBe('2')
    expect((await jobCacheItem.getValue())?.jobs.map((j) => j.id)).toEqual(['a', 'b', 'c'])
  })

  it('notifies a completion once, across polls and across a restart of the background', async () => {
    const create = vi.spyOn(fakeBrowser.notifications, 'create')
    serveJobs([
      testJob({ id: 'done', status: 'completed', completedAt: '2026-01-01T10:00:00.000Z' }),
    ])
    await Promise.all([pollJobs(), pollJobs()])
    await pollJobs()
    expect(create).toHaveBeenCalledTimes(1)
    expect(create.mock.calls[0]?.[0]).toMatch(/^job:done:/)
    expect(await notifiedJobsItem.getValue()).toEqual(['done'])

    // A restarted worker has only storage to go by.
    vi.resetModules()
    const { pollJobs: pollAfterRestart } = await import('./jobs-poller.ts')
    await pollAfterRestart()
    expect(create).toHaveBeenCalledTimes(1)
  })

  it('marks the connection revoked when the server refuses the token', async () => {
    serveJobs([], 401)
    await pollJobs()
    expect((await connectionItem.getValue())?.revoked).toBe(true)
    expect(await fakeBrowser.action.getBadgeText({})).toBe('!')
  })
})
