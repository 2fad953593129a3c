import { describe, expect, it } from 'vitest'
import { encodeEvent, SseHub } from './sse-hub.ts'

/** The ids of the events on `stream`, read until `count` have come. */
async function idsOf(stream: ReadableStream<Uint8Array>, count: number): Promise<number[]> {
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let text = ''
  for (;;) {
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))
    if (ids.length >= count) {
      await reader.cancel()
      return ids
    }
    const chunk = await reader.read()
    if (chunk.done) return ids
    text += decoder.decode(chunk.value, { stream: true })
  }
}

const event = (id: number) => ({ id, type: 'progress', data: { id } })

describe('the SSE hub', () => {
  it('keeps a stream that is sent several events before its reader reads', async () => {
    const hub = new SseHub()
    const stream = hub.subscribe([event(1)])
    for (let id = 2; id <= 5; id++) hub.broadcast(event(id))
    expect(hub.size).toBe(1)
    expect(await idsOf(stream, 5)).toEqual([1, 2, 3, 4, 5])
  })

  it('writes a stream opened before its replay came each event once, in order', async () => {
    const hub = new SseHub()
    const { stream, start } = hub.open('credential', 'job-1')
    // Live events while the replay is fetched: 3 is in the replay too, 4 is not.
    hub.send('job-1', encodeEvent(event(3)))
    hub.send('job-1', encodeEvent(event(4)))
    hub.send('job-2', encodeEvent(event(9)))
    start([1, 2, 3].map((id) => encodeEvent(event(id))))
    hub.send('job-1', encodeEvent(event(4)))
    hub.send('job-1', encodeEvent(event(5)))
    expect(await idsOf(stream, 5)).toEqual([1, 2, 3, 4, 5])
  })

  it('drops a stream whose reader has fallen a megabyte behind, and keeps one that reads', async () => {
    const hub = new SseHub()
    const stalled = hub.subscribe([])
    const reading = hub.subscribe([])
    const reader = reading.getReader()
    const big = 'x'.repeat(64 * 1024)
    let sent = 'retry: 3000\n\n'.length
    let read = 0
    for (let id = 1; id <= 20; id++) {
      const frame = { id, type: 'progress', data: big }
      hub.broadcast(frame)
      sent += encodeEvent(frame).bytes.length
      // The reading stream drains as it goes; the stalled one never reads.
      while (read < sent) read += (await reader.read()).value?.length ?? 0
    }
    expect(hub.size).toBe(1)
    await reader.cancel()
    await stalled.cancel()
  })

  it("ends a channel's streams, and only those", async () => {
    const hub = new SseHub()
    hub.open(null, 'job-1').start([])
    hub.open(null, 'job-2').start([])
    hub.closeChannel('job-1')
    expect([hub.count('job-1'), hub.count('job-2')]).toEqual([0, 1])
  })

  it('sends keep-alives only to streams written nothing for 15 s', async () => {
    let now = 0
    const hub = new SseHub(undefined, () => now)
    const busy = hub.open(null, 'job-1')
    const idle = hub.open(null, 'job-2')
    busy.start([])
    idle.start([])
    // Checks every 5 s, as the hub's timer runs; the busy stream gets an event every 10 s.
    for (now = 5_000; now <= 30_000; now += 5_000) {
      if (now % 10_000 === 0) hub.send('job-1', encodeEvent(event(now / 10_000)))
      hub.keepAlive()
    }
    hub.send('job-1', encodeEvent(event(4)))
    hub.send('job-2', encodeEvent(event(5)))
    // The idle stream got a keep-alive at 15 s and at 30 s; the busy one none.
    expect(await textUntil(busy.stream, 'id: 4')).not.toContain('keep-alive')
    expect((await textUntil(idle.stream, 'id: 5')).match(/: keep-alive/g)).toHaveLength(2)
  })
})

/** What `stream` carried up to and including `marker` (then it is cancelled). */
async function textUntil(stream: ReadableStream<Uint8Array>, marker: string): Promise<string> {
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let text = ''
  while (!text.includes(marker)) {
    const chunk = await reader.read()
    if (chunk.done) break
    text += decoder.decode(chunk.value, { stream: true })
  }
  await reader.cancel()
  return text
}
