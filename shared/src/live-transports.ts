import { ApiError } from './client-core.ts'
import { JOB_EVENT_TYPES, type JobEventReader } from './live.ts'
import type { LiveJobsTransport } from './live-client.ts'
import { readEventStream } from './sse.ts'

/** The part of `EventSource` the transport uses (tests pass a fake). */
export interface EventSourceLike {
  readonly readyState: number
  addEventListener(type: string, listener: (event: Event) => void): void
  close(): void
}

const CLOSED = 2

/** What an `EventSource` that gave up reports: it never says why (401, wrong type, server down). */
export class StreamRefusedError extends Error {
  constructor() {
    super('The event stream was refused.')
    this.name = 'StreamRefusedError'
  }
}

/**
 * Opens the stream with `EventSource` (the web app: the session cookie rides along). The browser
 * reconnects a dropped stream by itself, resending Last-Event-ID; only a stream it gave up on is
 * reported closed. `readEvent`: `readJobEvent` for the page's own origin, `parseJobEvent` else.
 *
 * @example
 * eventSourceTransport(() => new EventSource('/api/events'), readJobEvent)
 */
export function eventSourceTransport(
  open: () => EventSourceLike,
  readEvent: JobEventReader,
): LiveJobsTransport {
  return {
    open(handlers) {
      const source = open()
      source.addEventListener('open', () => handlers.onOpen())
      for (const type of JOB_EVENT_TYPES) {
        source.addEventListener(type, (event) => {
          // `error` is both a job event type and EventSource's own failure signal; only the
          // former is a MessageEvent with data.
          const data = (event as MessageEvent).data
          if (typeof data === 'string') {
            const parsed = readEvent({ data })
            if (parsed) handlers.onEvent(parsed)
          } else if (type === 'error') {
            if (source.readyState === CLOSED) handlers.onClosed(new StreamRefusedError())
            else handlers.onInterrupted()
          }
        })
      }
      return { close: () => source.close() }
    },
  }
}

/**
 * Opens the stream with fetch, for clients that send a bearer token (`EventSource` cannot).
 * A refused stream closes with an `ApiError` carrying the status (401: token revoked), a dropped
 * one with the network's error, and one the server ended with no error. `readEvent` as above.
 *
 * @example
 * fetchStreamTransport((signal) => fetch(url + '/api/events', { headers, signal }), parseJobEvent)
 */
export function fetchStreamTransport(
  request: (signal: AbortSignal) => Promise<Response>,
  readEvent: JobEventReader,
): LiveJobsTransport {
  return {
    open(handlers) {
      const controller = new AbortController()
      const { signal } = controller
      void (async () => {
        try {
          const response = await request(signal)
          if (!response.ok || !response.body) {
            throw new ApiError(
              response.status,
              'stream_refused',
              `The event stream answered ${response.status}.`,
            )
          }
          handlers.onOpen()
          for await (const message of readEventStream(response.body)) {
            const event = readEvent(message)
            if (event) handlers.onEvent(event)
          }
          if (!signal.aborted) handlers.onClosed()
        } catch (error) {
          if (!signal.aborted) handlers.onClosed(error)
        }
      })()
      return { close: () => controller.abort() }
    },
  }
}
