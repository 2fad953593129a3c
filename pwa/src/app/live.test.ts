import type { EventSourceLike, Job, JobEvent } from '@tseeder/shared'
import { testJob, testProgress } from '@tseeder/shared/test-fixtures'
import { ApiError } from '@tseeder/shared'
import { describe, expect, it, vi } from 'vitest'
import { type LiveJobsDeps, LiveJobsStore, mergeFirstPage } from './live.ts'

/** Stands in for the browser's EventSource: the test opens, fails and feeds it by hand. */
class FakeEventSource implements EventSourceLike {
  readyState = 0
  closed = false
  private listeners = new Map<string, ((event: Event) => void)[]>()
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: Event) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }
  close() {
    this.closed = true
    this.readyState = 2
  }
  private dispatch(type: string, event: Event) {
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }
  open() {
    this.readyState = 1
    this.dispatch('open', new Event('open'))
  }
  /** A connection failure; `fatal` is the browser giving up (readyState CLOSED). */
  fail(fatal = false) {
    this.readyState = fatal ? 2 : 0
    this.dispatch('error', new Event('error'))
  }
  send(event: JobEvent) {
    this.dispatch(event.type, new MessageEvent(event.type, { data: JSON.stringify(event) }))
  }
}

let clock = Date.parse('2025-03-01T12:00:00.000Z')
function job(id: string, overrides: Partial<Job> = {}): Job {
  clock += 1000
  const at = new Date(clock).toISOString()
  return testJob({
    id,
    name: `Job ${id}`,
    progressPct: 10,
    bytesDownloaded: 100,
    downloadSpeed: 50,
    eta: 18,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  })
}

const progress = testProgress

function setup(server: { jobs: Job[]; nextCursor?: string | null; extra?: Job[] }) {
  const sources: FakeEventSource[] = []
  const timers: (() => void)[] = []
  const deps: LiveJobsDeps = {
    listJobs: vi.fn(async (query) => {
      const jobs = query.status ? server.jobs.filter((j) => j.status === query.status) : server.jobs
      return { jobs, nextCursor: query.cursor ? null : (server.nextCursor ?? null) }
    }),
    getJob: vi.fn(async (id: string) => {
      const found = [...server.jobs, ...(server.extra ?? [])].find((j) => j.id === id)
      if (!found) throw new ApiError(404, 'not_found', 'No such job')
      return found
    }),
    openEvents: (url) => {
      const source = new FakeEventSource(url)
      sources.push(source)
      return source
    },
    onRefused: vi.fn(),
    setTimeout: (run) => timers.push(run),
    clearTimeout: () => undefined,
  }
  const store = new LiveJobsStore(deps)
  return { store, deps, sources, timers }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('LiveJobsStore', () => {
  it('opens one stream on /api/events and loads the first page', async () => {
    const { store, sources } = setup({ jobs: [job('a')] })
    store.start()
    store.start()
    await settle()
    expect(sources).toHaveLength(1)
    expect(sources[0]!.url).toBe('/api/events')
    expect(store.getSnapshot().status).toBe('ready')
    expect(store.getSnapshot().jobs.map((j) => j.id)).toEqual(['a'])
  })

  it('applies progress events to the job they belong to', async () => {
    const { store, sources } = setup({ jobs: [job('a'), job('b')] })
    store.start()
    await settle()
    sources[0]!.open()
    sources[0]!.send(progress('a', 1, 42))
    const a = store.getSnapshot().jobs.find((j) => j.id === 'a')!
    expect(a.progressPct).toBe(42)
    expect(store.getSnapshot().connected).toBe(true)
  })

  it('ignores a replayed event it already applied', async () => {
    const { store, sources } = setup({ jobs: [job('a')] })
    store.start()
    await settle()
    sources[0]!.send(progress('a', 5, 50))
    sources[0]!.send(progress('a', 4, 40))
    expect(store.getSnapshot().jobs[0]!.progressPct).toBe(50)
  })

  it('fetches a job it hears about but does not hold, once', async () => {
    const other = job('new')
    const { store, sources, deps } = setup({ jobs: [job('a')], extra: [other] })
    store.start()
    await settle()
    sources[0]!.send(progress('new', 1, 5))
    sources[0]!.send(progress('new', 2, 6))
    await settle()
    expect(deps.getJob).toHaveBeenCalledTimes(1)
    expect(store.getSnapshot().jobs.map((j) => j.id)).toContain('new')
  })

  it('adopts a job a page read itself, without fetching it, and never over a held copy', async () => {
    const { store, sources, deps } = setup({ jobs: [job('a')] })
    store.start()
    await settle()
    store.adopt({ ...job('opened'), files: [] } as Job)
    sources[0]!.send(progress('opened', 1, 30))
    await settle()
    expect(deps.getJob).not.toHaveBeenCalled()
    expect(store.getSnapshot().jobs.find((j) => j.id === 'opened')).toMatchObject({
      progressPct: 30,
    })
    expect(store.getSnapshot().jobs.find((j) => j.id === 'opened')).not.toHaveProperty('files')

    sources[0]!.send(progress('a', 1, 60))
    store.adopt(job('a', { progressPct: 10 }))
    expect(store.getSnapshot().jobs.find((j) => j.id === 'a')!.progressPct).toBe(60)
  })

  it('takes a held job’s place in line from a page’s read, which no event brings', async () => {
    const inLine = { reason: 'in_line' as const, since: '2025-03-01T12:00:00.000Z', until: null }
    const { store, sources } = setup({
      jobs: [job('a', { status: 'queued', queuePosition: 3, waiting: inLine })],
    })
    store.start()
    await settle()
    sources[0]!.send(progress('a', 1, 0))
    const held = store.getSnapshot().jobs[0]!
    store.adopt({ ...held, progressPct: 0, queuePosition: 1 })
    expect(store.getSnapshot().jobs[0]).toMatchObject({ queuePosition: 1, waiting: inLine })
    // A read that saw another status is older or newer: only the stream and the list decide.
    store.adopt({ ...held, status: 'paused', queuePosition: 2 })
    expect(store.getSnapshot().jobs[0]).toMatchObject({ status: 'queued', queuePosition: 1 })
  })

  it('stops asking about a job the server says is gone', async () => {
    const { store, sources, deps } = setup({ jobs: [] })
    store.start()
    await settle()
    sources[0]!.send(progress('ghost', 1, 5))
    await settle()
    sources[0]!.send(progress('ghost', 2, 6))
    await settle()
    expect(deps.getJob).toHaveBeenCalledTimes(1)
    expect(store.getSnapshot().jobErrors.ghost).toBeInstanceOf(ApiError)
  })

  it('re-fetches the list when the stream opens again after a drop, to heal missed events', async () => {
    const server = { jobs: [job('a')] }
    const { store, sources, deps } = setup(server)
    store.start()
    await settle()
    sources[0]!.open()
    expect(deps.listJobs).toHaveBeenCalledTimes(1)
    sources[0]!.fail()
    expect(store.getSnapshot().connected).toBe(false)
    server.jobs = [job('added-elsewhere'), ...server.jobs]
    sources[0]!.open()
    await settle()
    expect(deps.listJobs).toHaveBeenCalledTimes(2)
    expect(store.getSnapshot().jobs.map((j) => j.id)).toEqual(['added-elsewhere', 'a'])
    // The browser reconnected the same EventSource (it resends Last-Event-ID itself).
    expect(sources).toHaveLength(1)
  })

  it('opens a new stream later when the browser gives up on the old one', async () => {
    const { store, sources, timers } = setup({ jobs: [] })
    store.start()
    await settle()
    sources[0]!.open()
    sources[0]!.fail(true)
    expect(sources[0]!.closed).toBe(true)
    expect(timers).toHaveLength(1)
    timers[0]!()
    expect(sources).toHaveLength(2)
  })

  it('asks for a session check when the stream is refused, not when it only blips', async () => {
    const { store, sources, deps } = setup({ jobs: [] })
    store.start()
    await settle()
    sources[0]!.open()
    sources[0]!.fail(false)
    expect(deps.onRefused).not.toHaveBeenCalled()
    sources[0]!.fail(true)
    expect(deps.onRefused).toHaveBeenCalledTimes(1)
  })

  it('treats a job event named "error" as data, not as a connection failure', async () => {
    const { store, sources } = setup({ jobs: [job('a')] })
    store.start()
    await settle()
    sources[0]!.open()
    sources[0]!.send({
      type: 'error',
      jobId: 'a',
      seq: 1,
      code: 'tracker',
      message: 'Tracker down',
    })
    expect(store.getSnapshot().connected).toBe(true)
    expect(store.getSnapshot().jobs[0]!.error?.message).toBe('Tracker down')
  })

  it('keeps pages loaded with "Load more" when the first page is refreshed', async () => {
    const server = { jobs: [job('old'), job('mid'), job('new')].reverse(), nextCursor: 'c1' }
    const { store, deps } = setup(server)
    store.start()
    await settle()
    ;(deps.listJobs as ReturnType<typeof vi.fn>).mockResolvedValueOnce({
      jobs: server.jobs.slice(0, 2),
      nextCursor: 'c1',
    })
    await store.reload()
    expect(store.getSnapshot().jobs.map((j) => j.id)).toEqual(['new', 'mid', 'old'])
  })

  it('appends the next page with loadMore and clears the cursor at the end', async () => {
    const first = [job('b'), job('c')].reverse()
    const { store, deps } = setup({ jobs: first, nextCursor: 'next' })
    store.start()
    await settle()
    const older = job('a', { createdAt: '2000-01-01T00:00:00.000Z' })
    ;(deps.listJobs as ReturnType<typeof vi.fn>).mockResolvedValueOnce({
      jobs: [older],
      nextCursor: null,
    })
    await store.loadMore()
    expect(deps.listJobs).toHaveBeenLastCalledWith({ cursor: 'next' })
    expect(store.getSnapshot().jobs.map((j) => j.id)).toEqual(['c', 'b', 'a'])
    expect(store.getSnapshot().nextCursor).toBeNull()
  })

  it('filters by status and asks the server for that status', async () => {
    const { store, deps } = setup({ jobs: [job('a'), job('b', { status: 'failed' })] })
    store.start()
    await settle()
    store.setFilter('failed')
    await settle()
    expect(deps.listJobs).toHaveBeenLastCalledWith({ status: 'failed' })
    expect(store.getSnapshot().jobs.map((j) => j.id)).toEqual(['b'])
    expect(store.getSnapshot().all).toHaveLength(2)
  })

  it('shows an error only when it has no jobs to show', async () => {
    const { store, deps } = setup({ jobs: [job('a')] })
    ;(deps.listJobs as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new TypeError('offline'))
    store.start()
    await settle()
    expect(store.getSnapshot().status).toBe('error')
    await store.reload()
    expect(store.getSnapshot().status).toBe('ready')
    ;(deps.listJobs as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new TypeError('offline'))
    await store.reload()
    expect(store.getSnapshot().status).toBe('ready')
    expect(store.getSnapshot().error).toBeInstanceOf(TypeError)
  })

  it('closes the stream and forgets every job on stop', async () => {
    const { store, sources } = setup({ jobs: [job('a')] })
    store.start()
    await settle()
    store.stop()
    expect(sources[0]!.closed).toBe(true)
    expect(store.getSnapshot().all).toEqual([])
  })
})

describe('mergeFirstPage', () => {
  it('drops jobs missing from an only page (deleted elsewhere)', () => {
    const a = job('a')
    const b = job('b')
    expect(mergeFirstPage([a, b], [b], null, false)).toEqual([b])
  })

  it('keeps jobs of other statuses when the page was filtered', () => {
    const done = job('done', { status: 'completed' })
    const failed = job('failed', { status: 'failed' })
    expect(mergeFirstPage([done, failed], [failed], 'failed', false)).toEqual([failed, done])
  })
})
