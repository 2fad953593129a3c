import { describe, expect, it, vi } from 'vitest'
import { ApiError } from './client.ts'
import { parseJobEvent } from './schemas/events.ts'
import type { LiveStreamHandlers } from './live-client.ts'
import {
  type EventSourceLike,
  eventSourceTransport,
  fetchStreamTransport,
  StreamRefusedError,
} from './live-transports.ts'

function handlers() {
  return {
    onOpen: vi.fn(),
    onEvent: vi.fn(),
    onInterrupted: vi.fn(),
    onClosed: vi.fn(),
  } satisfies LiveStreamHandlers
}

const status = { type: 'status', jobId: 'a', seq: 1, status: 'completed' } as const

class FakeEventSource implements EventSourceLike {
  readyState = 0
  closed = false
  listeners = new Map<string, ((event: Event) => void)[]>()
  addEventListener(type: string, listener: (event: Event) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }
  close() {
    this.closed = true
  }
  dispatch(type: string, event: Event) {
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }
}

describe('eventSourceTransport', () => {
  it('passes job events on, including one named "error", and skips what does not parse', () => {
    const source = new FakeEventSource()
    const on = handlers()
    eventSourceTransport(() => source, parseJobEvent).open(on)
    source.dispatch('open', new Event('open'))
    source.dispatch('status', new MessageEvent('status', { data: JSON.stringify(status) }))
    const error = { type: 'error', jobId: 'a', seq: 2, code: 'tracker', message: 'down' }
    source.dispatch('error', new MessageEvent('error', { data: JSON.stringify(error) }))
    source.dispatch('progress', new MessageEvent('progress', { data: 'not json' }))
    expect(on.onOpen).toHaveBeenCalledTimes(1)
    expect(on.onEvent.mock.calls).toEqual([[status], [error]])
    expect(on.onInterrupted).not.toHaveBeenCalled()
  })

  it('reports a blip as interrupted and a stream the browser gave up on as closed', () => {
    const source = new FakeEventSource()
    const on = handlers()
    const stream = eventSourceTransport(() => source, parseJobEvent).open(on)
    source.dispatch('error', new Event('error'))
    expect(on.onInterrupted).toHaveBeenCalledTimes(1)
    source.readyState = 2
    source.dispatch('error', new Event('error'))
    expect(on.onClosed).toHaveBeenCalledWith(expect.any(StreamRefusedError))
    stream.close()
    expect(source.closed).toBe(true)
  })
})

function eventStream(text: string): Response {
  return new Response(text, { headers: { 'content-type': 'text/event-stream' } })
}

describe('fetchStreamTransport', () => {
  it('reads events until the server ends the stream, then reports it closed with no error', async () => {
    const on = handlers()
    const body = `: hello\n\nevent: status\ndata: ${JSON.stringify(status)}\n\n`
    fetchStreamTransport(async () => eventStream(body), parseJobEvent).open(on)
    await vi.waitFor(() => expect(on.onClosed).toHaveBeenCalledWith())
    expect(on.onOpen).toHaveBeenCalledTimes(1)
    expect(on.onEvent).toHaveBeenCalledWith(status)
  })

  it('closes a refused stream with an ApiError carrying its status', async () => {
    const on = handlers()
    fetchStreamTransport(async () => new Response('no', { status: 401 }), parseJobEvent).open(on)
    await vi.waitFor(() => expect(on.onClosed).toHaveBeenCalled())
    expect(on.onClosed.mock.calls[0]![0]).toBeInstanceOf(ApiError)
    expect((on.onClosed.mock.calls[0]![0] as ApiError).status).toBe(401)
    expect(on.onOpen).not.toHaveBeenCalled()
  })

  it('aborts the request on close and reports nothing after', async () => {
    const on = handlers()
    let aborted: AbortSignal | undefined
    const stream = fetchStreamTransport(
      (signal) =>
        new Promise<Response>((_resolve, reject) => {
          aborted = signal
          signal.addEventListener('abort', () => reject(signal.reason))
        }),
      parseJobEvent,
    ).open(on)
    stream.close()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(aborted?.aborted).toBe(true)
    expect(on.onClosed).not.toHaveBeenCalled()
  })
})
