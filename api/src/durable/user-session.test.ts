import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { signUp } from '../../test/helpers.ts'
import { captureMetrics } from '../../test/metrics.ts'
import { userSessions } from './user-session.ts'
import { magnetFor, randomInfohash, waitFor } from '../../test/pipeline.ts'

describe("a user's live streams", () => {
  it('write an sse_streams point as each opens and closes, with the streams still open', async () => {
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const capture = captureMetrics()
    try {
      const feed = await user.fetch('/api/events')
      const jobStream = await user.fetch(`/api/jobs/${job.id}/events`)
      expect([feed.status, jobStream.status]).toEqual([200, 200])
      await user.api.logout()
      await waitFor(async () => capture.of('sse_streams', { change: 'close' }).length === 2)
      const points = capture.of('sse_streams')
      expect(points.map(({ stream, change, open }) => [stream, change, open])).toEqual([
        ['user', 'open', 1],
        ['job', 'open', 2],
        ['user', 'close', 1],
        ['job', 'close', 0],
      ])
      expect(points.filter((p) => p.change === 'open').every((p) => p.openMs === 0)).toBe(true)
      await feed.body?.cancel()
      await jobStream.body?.cancel()
    } finally {
      capture.stop()
    }
  })

  it('drops a stream its client has left, so the object keeps no dead stream', async () => {
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const capture = captureMetrics()
    try {
      const jobStream = await user.fetch(`/api/jobs/${job.id}/events`)
      expect(jobStream.status).toBe(200)
      await jobStream.body!.cancel()
      // The object hears of it when it next writes to the stream: the job's next event.
      for (const seq of [1000, 1001, 1002]) {
        await userSessions(env, user.userId).publish({
          type: 'error',
          jobId: job.id,
          seq,
          at: new Date().toISOString(),
          code: 'probe',
          message: 'probe',
        })
        await new Promise((r) => setTimeout(r, 200))
      }
      await waitFor(async () => capture.of('sse_streams', { change: 'close' }).length === 1)
      expect(capture.of('sse_streams').map(({ change, open }) => [change, open])).toEqual([
        ['open', 1],
        ['close', 0],
      ])
    } finally {
      capture.stop()
    }
  })
})
