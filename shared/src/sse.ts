/** One server-sent event as the stream carried it. */
export interface ServerSentEvent {
  event: string
  data: string
  id: string | null
}

/**
 * Reads a `text/event-stream` body into events (comments and keep-alives are skipped). Used by
 * clients that cannot use `EventSource` because they send an `Authorization` header (the
 * extension, scripts, tests).
 *
 * @example
 * for await (const e of readEventStream(response.body!)) console.log(e.event, JSON.parse(e.data))
 */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let event = 'message'
  let data: string[] = []
  let id: string | null = null
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let newline
      while ((newline = buffer.search(/\r?\n/)) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + (buffer[newline] === '\r' ? 2 : 1))
        if (line === '') {
          if (data.length) yield { event, data: data.join('\n'), id }
          event = 'message'
          data = []
          continue
        }
        if (line.startsWith(':')) continue
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'event') event = text
        else if (field === 'data') data.push(text)
        else if (field === 'id') id = text
      }
    }
  } finally {
    reader.releaseLock()
  }
}
