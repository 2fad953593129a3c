// The user's event stream (`GET /api/events`) read with fetch, since EventSource cannot send
// the bearer token.
import { ApiError, type JobEvent, parseJobEvent, readEventStream, streams } from '@tseeder/shared'
import type { Connection } from './storage.ts'

export interface StreamHandlers {
  onOpen(): void
  onEvent(event: JobEvent): void
}

/**
 * Reads the stream until it ends or `signal` aborts. Throws `ApiError` for a refused stream
 * (401 when the token was revoked) and the network's error when the connection drops.
 */
export async function readUserEvents(
  connection: Pick<Connection, 'serverUrl' | 'token'>,
  handlers: StreamHandlers,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(connection.serverUrl + streams.userEvents.path, {
    headers: { accept: 'text/event-stream', authorization: `Bearer ${connection.token}` },
    signal,
  })
  if (!response.ok || !response.body) {
    throw new ApiError(
      response.status,
      'stream_refused',
      `The event stream answered ${response.status}.`,
    )
  }
  handlers.onOpen()
  for await (const message of readEventStream(response.body)) {
    const event = parseJobEvent(message)
    if (event) handlers.onEvent(event)
  }
}
