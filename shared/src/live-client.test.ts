import { describe, expect, it, vi } from 'vitest'
import { ApiError } from './client.ts'
import {
  LiveJobsClient,
  type LiveJobsClientOptions,
  type LiveJobsTransport,
  type LiveStreamHandlers,
} from './live-client.ts'
import type { Job } from './schemas/job.ts'
import { testJob, testProgress } from './test-fixtures.ts'

/** Stands in for a transport: every `open` is a stream the test opens, feeds and ends by hand. */
class FakeTransport implements LiveJobsTransport {
  streams: { handlers: LiveStreamHandlers; closed: boolean }[] = []
  open(handlers: LiveStreamHandlers) {
    const stream = { handlers, closed: false }
    this.streams.push(stream)
    return { close: () => void (stream.closed = true) }
  }
  get last() {
    return this.streams.at(-1)!
  }
}

const job = (id: string, createdAt = '2025-03-01T12:00:00.000Z') =>
  testJob({ id, createdAt, updatedAt: createdAt })
const progress = testProgress

function setup(overrides: Partial<LiveJobsClientOptions> = {}) {
  const transport = new FakeTransport()
  const timers: { run: () => void; ms: number; cleared: boolean }[] = []
  const options = {
    transport,
    getJob: vi.fn(async (id: string) => job(id)),
    resync: vi.fn(async () => undefined),
    onFailure: vi.fn(),
    onFatal: vi.fn(),
    isFatal: (error: unknown) => error instanceof ApiError && error.status === 401,
    maxBackoffMs: 8000,
    timers: {
      setTimeout: (run: () => void, ms: number) => {
        const timer = { run, ms, cleared: false }
        timers.push(timer)
        return timer
      },
      clearTimeout: (handle: unknown) => void ((handle as { cleared: boolean }).cleared = true),
    },
  }
  const client = new LiveJobsClient({ ...options, ...overrides })
  const fire = () =>
    timers
      .filter((timer) => !timer.cleared)
      .at(-1)!
      .run()
  return { client, transport, timers, options, fire }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))
const ids = (client: LiveJobsClient) => client.getSnapshot().live.jobs.map((j) => j.id)

describe('LiveJobsClient', () => {
  it('shows the jobs it was given before the server answers', () => {
    const { client } = setup({ initial: [job('cached')] })
    expect(ids(client)).toEqual(['cached'])
  })

  it('opens one stream and resyncs once on start, however often it is started', () => {
    const { client, transport, options } = setup()
    client.start()
    client.start()
    transport.last.handlers.onOpen()
    expect(transport.streams).toHaveLength(1)
    expect(options.resync).toHaveBeenCalledTimes(1)
    expect(client.getSnapshot().connected).toBe(true)
  })

  it('applies events to the jobs it holds and ignores replays', () => {
    const { client, transport } = setup({ initial: [job('a')] })
    client.start()
    transport.last.handlers.onEvent(progress('a', 2, 60))
    transport.last.handlers.onEvent(progress('a', 1, 20))
    expect(client.getSnapshot().live.jobs[0]!.progressPct).toBe(60)
  })

  it('fetches a job it hears about but does not hold once, without its files', async () => {
    const { client, transport, options } = setup()
    options.getJob.mockResolvedValueOnce({ ...job('new'), files: [] } as Job)
    client.start()
    transport.last.handlers.onEvent(progress('new', 1, 5))
    transport.last.handlers.onEvent(progress('new', 2, 6))
    await settle()
    expect(options.getJob).toHaveBeenCalledTimes(1)
    expect(ids(client)).toEqual(['new'])
    expect(client.getSnapshot().live.jobs[0]).not.toHaveProperty('files')
  })

  it('never asks again about a job the server says is gone', async () => {
    const { client, transport, options } = setup()
    options.getJob.mockRejectedValue(new ApiError(404, 'not_found', 'No such job'))
    client.start()
    transport.last.handlers.onEvent(progress('ghost', 1, 5))
    await settle()
    transport.last.handlers.onEvent(progress('ghost', 2, 6))
    await settle()
    expect(options.getJob).toHaveBeenCalledTimes(1)
    expect(client.getSnapshot().jobErrors.ghost).toBeInstanceOf(ApiError)
  })

  it('resyncs when the stream opens again after a drop, not on the first open', () => {
    const { client, transport, options } = setup()
    client.start()
    transport.last.handlers.onOpen()
    expect(options.resync).toHaveBeenCalledTimes(1)
    transport.last.handlers.onInterrupted()
    expect(client.getSnapshot().connected).toBe(false)
    transport.last.handlers.onOpen()
    expect(options.resync).toHaveBeenCalledTimes(2)
    expect(transport.streams).toHaveLength(1)
  })

  it('opens a new stream after a growing backoff, capped, while the stream keeps failing', () => {
    const { client, transport, timers, fire } = setup()
    client.start()
    for (let i = 0; i < 5; i++) {
      transport.last.handlers.onClosed(new TypeError('network'))
      expect(transport.last.closed).toBe(true)
      fire()
    }
    expect(timers.map((timer) => timer.ms)).toEqual([1000, 2000, 4000, 8000, 8000])
    expect(transport.streams).toHaveLength(6)
  })

  it('starts the backoff over once a reopened stream also gave a fresh list', async () => {
    const { client, transport, timers, fire } = setup()
    client.start()
    transport.last.handlers.onClosed(new TypeError('network'))
    fire()
    transport.last.handlers.onClosed(new TypeError('network'))
    fire()
    transport.last.handlers.onOpen()
    await settle()
    transport.last.handlers.onClosed(new TypeError('network'))
    expect(timers.map((timer) => timer.ms)).toEqual([1000, 2000, 1000])
  })

  it('reports each failure with how many came before it in a row', () => {
    const { client, transport, options, fire } = setup()
    client.start()
    transport.last.handlers.onClosed(new TypeError('first'))
    fire()
    transport.last.handlers.onClosed(new TypeError('second'))
    expect(options.onFailure.mock.calls).toEqual([
      [new TypeError('first'), 0],
      [new TypeError('second'), 1],
    ])
  })

  it('reconnects after a stream the server ended, without reporting a failure', () => {
    const { client, transport, options, fire } = setup()
    client.start()
    transport.last.handlers.onOpen()
    transport.last.handlers.onClosed()
    fire()
    expect(options.onFailure).not.toHaveBeenCalled()
    expect(transport.streams).toHaveLength(2)
  })

  it('treats a failed resync as a failed connection and resyncs on the next open', async () => {
    const { client, transport, options, timers, fire } = setup()
    options.resync.mockRejectedValueOnce(new TypeError('offline'))
    client.start()
    await settle()
    expect(transport.streams[0]!.closed).toBe(true)
    expect(options.onFailure).toHaveBeenCalledWith(new TypeError('offline'), 0)
    expect(timers).toHaveLength(1)
    fire()
    transport.last.handlers.onOpen()
    expect(options.resync).toHaveBeenCalledTimes(2)
  })

  it('counts a resync and its stream failing together as one failure', async () => {
    const { client, transport, options, timers } = setup()
    options.resync.mockRejectedValueOnce(new TypeError('offline'))
    client.start()
    transport.last.handlers.onClosed(new TypeError('offline'))
    await settle()
    expect(timers).toHaveLength(1)
    expect(options.onFailure).toHaveBeenCalledTimes(1)
  })

  it('stops for good on a 401, from the stream or from a resync', async () => {
    const refused = new ApiError(401, 'unauthorized', 'Token revoked')
    const fromStream = setup()
    fromStream.client.start()
    fromStream.transport.last.handlers.onClosed(refused)
    expect(fromStream.options.onFatal).toHaveBeenCalledWith(refused)
    expect(fromStream.timers).toHaveLength(0)

    const fromResync = setup()
    fromResync.options.resync.mockRejectedValueOnce(refused)
    fromResync.client.start()
    await settle()
    expect(fromResync.options.onFatal).toHaveBeenCalledWith(refused)
    expect(fromResync.transport.last.closed).toBe(true)
    expect(fromResync.timers).toHaveLength(0)
    expect(fromResync.options.onFailure).not.toHaveBeenCalled()
  })

  it('keeps list changes the caller dispatches and drops a job file list', () => {
    const { client } = setup()
    client.dispatch({ type: 'reset', jobs: [job('a', '2025-01-01T00:00:00.000Z')] })
    client.dispatch({ type: 'upsert', job: { ...job('b'), files: [] } as Job })
    expect(ids(client)).toEqual(['b', 'a'])
    expect(client.getSnapshot().live.jobs[0]).not.toHaveProperty('files')
    client.dispatch({ type: 'remove', id: 'a' })
    expect(ids(client)).toEqual(['b'])
  })

  it('closes the stream, cancels a pending reconnect and forgets every job on stop', () => {
    const { client, transport, timers } = setup({ initial: [job('a')] })
    client.start()
    transport.last.handlers.onClosed(new TypeError('network'))
    client.stop()
    expect(transport.last.closed).toBe(true)
    expect(timers[0]!.cleared).toBe(true)
    expect(client.getSnapshot().live.jobs).toEqual([])
    transport.last.handlers.onEvent(progress('a', 1, 5))
    expect(client.getSnapshot().live.jobs).toEqual([])
  })
})
