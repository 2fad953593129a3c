const encoder = new TextEncoder()
const KEEPALIVE_MS = 20_000
/** A subscriber this far behind (bytes queued) is too slow to keep: it is dropped. */
const MAX_BUFFERED = 1024 * 1024

export interface HubEvent {
  id: number
  type: string
  data: unknown
}

interface Subscriber {
  writer: WritableStreamDefaultWriter<Uint8Array>
  tag: string | null
  openedAt: number
  /** Set on a relayed stream: it carries another hub's events (and keep-alives), not this one's. */
  upstream?: ReadableStreamDefaultReader<Uint8Array>
}

/** A stream opened or closed: `open` streams remain; `openMs`: how long a closed one was open. */
export interface StreamChange {
  change: 'open' | 'close'
  relayed: boolean
  open: number
  openMs: number
}

export function formatEvent(event: HubEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`
}

/**
 * The subscribers of one Durable Object's event stream. Writes never throw: a subscriber whose
 * connection is gone (or that falls too far behind) is dropped, as the Durable Object notices
 * disconnects only a moment later.
 */
export class SseHub {
  private subscribers = new Set<Subscriber>()
  private keepalive: ReturnType<typeof setInterval> | null = null

  /** `onChange` hears of every stream opened or closed (for metrics). */
  constructor(private readonly onChange: (change: StreamChange) => void = () => undefined) {}

  get size(): number {
    return this.subscribers.size
  }

  /** A new `text/event-stream` response, starting with `replay`. `tag` groups streams to close later. */
  subscribe(replay: HubEvent[], tag: string | null = null): Response {
    const { readable, writer } = bufferedPipe()
    const subscriber: Subscriber = { writer, tag, openedAt: Date.now() }
    this.add(subscriber)
    this.write(subscriber, `retry: 3000\n\n${replay.map(formatEvent).join('')}`)
    this.keepalive ??= setInterval(() => this.ping(), KEEPALIVE_MS)
    return eventStreamResponse(readable)
  }

  /**
   * Passes another object's event stream through as one of this hub's streams, so that
   * `close(tag)` ends it like the hub's own; when either side ends, so does the other.
   */
  relay(upstream: ReadableStream<Uint8Array>, tag: string | null = null): Response {
    const { readable, writer } = bufferedPipe()
    const subscriber: Subscriber = {
      writer,
      tag,
      openedAt: Date.now(),
      upstream: upstream.getReader(),
    }
    this.add(subscriber)
    void this.pump(subscriber)
    return eventStreamResponse(readable)
  }

  broadcast(event: HubEvent): void {
    const text = formatEvent(event)
    for (const subscriber of this.subscribers) {
      if (!subscriber.upstream) this.write(subscriber, text)
    }
  }

  /** Ends the streams tagged `tag`, or all of them. */
  close(tag?: string): void {
    for (const subscriber of this.subscribers) {
      if (tag === undefined || subscriber.tag === tag) this.drop(subscriber)
    }
  }

  private ping(): void {
    for (const subscriber of this.subscribers) {
      if (!subscriber.upstream) this.write(subscriber, ': keep-alive\n\n')
    }
    if (this.subscribers.size === 0 && this.keepalive) {
      clearInterval(this.keepalive)
      this.keepalive = null
    }
  }

  private write(subscriber: Subscriber, text: string): void {
    const { writer } = subscriber
    if (writer.desiredSize !== null && writer.desiredSize <= 0) {
      this.drop(subscriber)
      return
    }
    writer.write(encoder.encode(text)).catch(() => this.drop(subscriber))
  }

  private async pump(subscriber: Subscriber): Promise<void> {
    const { upstream, writer } = subscriber
    try {
      for (;;) {
        const chunk = await upstream!.read()
        if (chunk.done || !this.subscribers.has(subscriber)) break
        await writer.write(chunk.value)
      }
    } catch {
      // The client left (the write failed) or the upstream broke: both ends are closed below.
    }
    this.drop(subscriber)
  }

  private add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber)
    this.changed('open', subscriber)
  }

  private changed(change: StreamChange['change'], subscriber: Subscriber): void {
    this.onChange({
      change,
      relayed: Boolean(subscriber.upstream),
      open: this.subscribers.size,
      openMs: change === 'close' ? Date.now() - subscriber.openedAt : 0,
    })
  }

  private drop(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber)) return
    this.changed('close', subscriber)
    subscriber.writer.close().catch(() => undefined)
    subscriber.upstream?.cancel().catch(() => undefined)
  }
}

function bufferedPipe() {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>(
    undefined,
    undefined,
    new ByteLengthQueuingStrategy({ highWaterMark: MAX_BUFFERED }),
  )
  return { readable, writer: writable.getWriter() }
}

function eventStreamResponse(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  })
}
