const encoder = new TextEncoder()
/** No stream goes longer than this without bytes (proxies, and noticing a client that left). */
const KEEPALIVE_MS = 20_000
/** How often idle streams are looked for. */
const KEEPALIVE_CHECK_MS = 5_000
/** A stream written nothing for this long gets a keep-alive at the next check. */
const IDLE_MS = KEEPALIVE_MS - KEEPALIVE_CHECK_MS
const KEEPALIVE = encoder.encode(': keep-alive\n\n')
const RETRY = encoder.encode('retry: 3000\n\n')
/** A subscriber this far behind (bytes queued) is too slow to keep: it is dropped. */
const MAX_BUFFERED = 1024 * 1024

export interface HubEvent {
  id: number
  type: string
  data: unknown
}

/** One event as sent: its id and its encoded bytes, shared by every subscriber it goes to. */
export interface Frame {
  id: number
  bytes: Uint8Array
}

interface Subscriber {
  /** Queues bytes on the stream's response; null once the reader has gone. */
  queue: ReadableStreamDefaultController<Uint8Array> | null
  tag: string | null
  /** null: the hub's own events; else the relayed stream (a job's) it carries. */
  channel: string | null
  openedAt: number
  /** When bytes were last queued on it. */
  wroteAt: number
  /** Only events past this id are written (a relayed stream's replay may overlap live events). */
  after: number
  /** Live frames that came while the replay was being fetched: written once it is. */
  held: Frame[] | null
}

/** A stream opened or closed: `open` streams remain; `openMs`: how long a closed one was open. */
export interface StreamChange {
  change: 'open' | 'close'
  relayed: boolean
  /** The relayed stream it carries (null: the hub's own events). */
  channel: string | null
  open: number
  openMs: number
}

export function formatEvent(event: HubEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`
}

export function encodeEvent(event: HubEvent): Frame {
  return { id: event.id, bytes: encoder.encode(formatEvent(event)) }
}

/**
 * The subscribers of one Durable Object's event streams: its own events, and relayed channels
 * (another object's events, fed in with `send`). Each event is encoded once and the same bytes
 * are queued on every subscriber, without waiting on any. Writes never throw: a subscriber whose
 * connection is gone (or that falls too far behind) is dropped, as the Durable Object notices
 * disconnects only a moment later.
 */
export class SseHub {
  private subscribers = new Set<Subscriber>()
  private channels = new Map<string | null, Set<Subscriber>>()
  private keepalive: ReturnType<typeof setInterval> | null = null

  /** `onChange` hears of every stream opened or closed (for metrics); `clock` is for tests. */
  constructor(
    private readonly onChange: (change: StreamChange) => void = () => undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  get size(): number {
    return this.subscribers.size
  }

  /** How many streams carry `channel`. */
  count(channel: string | null): number {
    return this.channels.get(channel)?.size ?? 0
  }

  /**
   * A new event stream (the body of a `text/event-stream` response, see `eventStreamResponse`),
   * starting with `replay`. `tag` groups streams to close later.
   */
  subscribe(replay: HubEvent[], tag: string | null = null): ReadableStream<Uint8Array> {
    const { stream, start } = this.open(tag, null)
    start(replay.map(encodeEvent))
    return stream
  }

  /**
   * A stream of `channel` registered now, so that it misses no live event, whose replay comes
   * later: `start(replay)` writes it, then the live events held meanwhile that it does not hold.
   */
  open(
    tag: string | null,
    channel: string | null,
  ): { stream: ReadableStream<Uint8Array>; start: (replay: Frame[]) => void; end: () => void } {
    const now = this.clock()
    const subscriber: Subscriber = {
      queue: null,
      tag,
      channel,
      openedAt: now,
      wroteAt: now,
      after: -1,
      held: [],
    }
    const stream = queuedStream(subscriber, () => this.drop(subscriber))
    this.add(subscriber)
    this.keepalive ??= setInterval(() => this.keepAlive(), KEEPALIVE_CHECK_MS)
    const start = (replay: Frame[]) => {
      const held = subscriber.held ?? []
      subscriber.held = null
      // One write: the retry line, the replay and the live events held meanwhile.
      const frames = [{ id: -1, bytes: RETRY }]
      for (const frame of [...replay, ...held]) {
        if (frame.id <= subscriber.after) continue
        subscriber.after = frame.id
        frames.push(frame)
      }
      this.write(subscriber, concat(frames.map((f) => f.bytes)), this.clock())
    }
    return { stream, start, end: () => this.drop(subscriber) }
  }

  broadcast(event: HubEvent): void {
    this.send(null, encodeEvent(event))
  }

  /** Queues `frame` on every stream of `channel` (null: the hub's own events). */
  send(channel: string | null, frame: Frame): void {
    const now = this.clock()
    for (const subscriber of this.channels.get(channel) ?? []) {
      if (subscriber.held) subscriber.held.push(frame)
      else this.deliver(subscriber, frame, now)
    }
  }

  /** Ends the streams tagged `tag`, or all of them. */
  close(tag?: string): void {
    for (const subscriber of this.subscribers) {
      if (tag === undefined || subscriber.tag === tag) this.drop(subscriber)
    }
  }

  /** Ends the streams of `channel`. */
  closeChannel(channel: string | null): void {
    for (const subscriber of this.channels.get(channel) ?? []) this.drop(subscriber)
  }

  /**
   * Writes a keep-alive comment on each stream written nothing for IDLE_MS (run every
   * KEEPALIVE_CHECK_MS). A stream that events keep busy gets none: 500 streams on one job used to
   * get a burst of 500 writes every 20 s on top of the events'.
   */
  keepAlive(): void {
    const now = this.clock()
    for (const subscriber of this.subscribers) {
      if (!subscriber.held && now - subscriber.wroteAt >= IDLE_MS)
        this.write(subscriber, KEEPALIVE, now)
    }
    if (this.subscribers.size === 0 && this.keepalive) {
      clearInterval(this.keepalive)
      this.keepalive = null
    }
  }

  private deliver(subscriber: Subscriber, frame: Frame, now: number): void {
    if (frame.id <= subscriber.after) return
    subscriber.after = frame.id
    this.write(subscriber, frame.bytes, now)
  }

  private write(subscriber: Subscriber, bytes: Uint8Array, now: number): void {
    const { queue } = subscriber
    if (!queue || queue.desiredSize === null || queue.desiredSize <= 0) {
      this.drop(subscriber)
      return
    }
    try {
      queue.enqueue(bytes)
      subscriber.wroteAt = now
    } catch {
      this.drop(subscriber)
    }
  }

  private add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber)
    let channel = this.channels.get(subscriber.channel)
    if (!channel) this.channels.set(subscriber.channel, (channel = new Set()))
    channel.add(subscriber)
    this.changed('open', subscriber)
  }

  private changed(change: StreamChange['change'], subscriber: Subscriber): void {
    this.onChange({
      change,
      relayed: subscriber.channel !== null,
      channel: subscriber.channel,
      open: this.subscribers.size,
      openMs: change === 'close' ? this.clock() - subscriber.openedAt : 0,
    })
  }

  private drop(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber)) return
    const channel = this.channels.get(subscriber.channel)
    channel?.delete(subscriber)
    if (channel?.size === 0) this.channels.delete(subscriber.channel)
    try {
      subscriber.queue?.close()
    } catch {
      // Already closed or cancelled by its reader.
    }
    subscriber.queue = null
    this.changed('close', subscriber)
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    bytes.set(part, at)
    at += part.length
  }
  return bytes
}

/**
 * The stream of `subscriber`'s response: bytes are queued on it synchronously, with no promise
 * per write (a TransformStream's writer took one per chunk per stream, and its transform step
 * more). Its `desiredSize`, which `write` checks, counts up to MAX_BUFFERED bytes queued.
 * `gone` runs when the reader cancels (the client went away).
 */
function queuedStream(subscriber: Subscriber, gone: () => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        subscriber.queue = controller
      },
      cancel() {
        subscriber.queue = null
        gone()
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: MAX_BUFFERED }),
  )
}

/** The response that serves a hub's stream. */
export function eventStreamResponse(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  })
}
