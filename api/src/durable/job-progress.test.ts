import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import { captureMetrics } from '../../test/metrics.ts'
import {
  completed,
  dispatchedJob,
  metadata,
  progress,
  sleep,
  waitFor,
} from '../../test/pipeline.ts'
import { jobProgress, type JobProgressDO } from './job-progress.ts'

describe('the job progress Durable Object', () => {
  it('rebuilds a stored state that does not parse from the job row, numbering events on', async () => {
    const { user, job, agent, infohash, params } = await dispatchedJob()
    await agent.send(metadata(infohash))
    const stub = jobProgress(env, job.id)
    const before = await stub.history()
    const lastSeq = Math.max(...before.map((e) => e.seq))
    await runInDurableObject(stub, (instance: JobProgressDO, state) => {
      ;(instance as unknown as { state: unknown }).state = null
      state.storage.kv.put('state', { jobId: job.id, status: 'downloading', attempt: 'one' })
    })

    expect((await user.api.pauseJob(params)).status).toBe('paused')
    const after = await stub.history()
    const paused = after.find((e) => e.type === 'status' && e.status === 'paused')
    expect(paused?.seq).toBeGreaterThan(lastSeq)
    // The agent and its attempt come back from the row: its callbacks are still accepted.
    expect((await agent.send(progress(40))).status).toBe(200)
  })

  describe('metrics', () => {
    let capture: ReturnType<typeof captureMetrics> | null = null
    afterEach(() => capture?.stop())

    it('writes the duration of each phase of a completed job, and how fast its statuses fan out', async () => {
      capture = captureMetrics()
      const { job, agent, agentId, infohash } = await dispatchedJob()
      await sleep(60)
      await agent.send(metadata(infohash))
      await agent.send(progress(40))
      await sleep(60)
      await agent.send({ ...progress(100), phase: 'uploading', bytesUploaded: 600 })
      await sleep(60)
      expect((await agent.send(completed(infohash))).status).toBe(200)

      const phases = capture.of('job_phase', { jobId: job.id })
      expect(phases.map((p) => p.phase)).toEqual([
        'submit_to_dispatch',
        'dispatch_to_first_byte',
        'download',
        'upload',
      ])
      for (const point of phases) expect(point.agentId).toBe(agentId)
      // The size is known from the metadata on: not yet when the job is dispatched.
      expect(phases.map((p) => p.bytes)).toEqual([0, 1000, 1000, 1000])
      const ms = Object.fromEntries(phases.map((p) => [p.phase, p.ms]))
      expect(ms.dispatch_to_first_byte).toBeGreaterThanOrEqual(50)
      expect(ms.download).toBeGreaterThanOrEqual(50)
      expect(ms.upload).toBeGreaterThanOrEqual(50)
      const fanout = capture.of('fanout', { jobId: job.id }).map((p) => p.event)
      expect(fanout).toEqual(expect.arrayContaining(['status:queued', 'status:completed']))
      expect(fanout).not.toContain('progress')
    })

    it('leaves out the download and upload of a run that was paused on the way', async () => {
      capture = captureMetrics()
      const { user, job, agent, infohash, params } = await dispatchedJob()
      await agent.send(metadata(infohash))
      await agent.send(progress(40))
      expect((await user.api.pauseJob(params)).status).toBe('paused')
      expect((await user.api.resumeJob(params)).status).toBe('downloading')
      await agent.send({ ...progress(100), phase: 'uploading', bytesUploaded: 600 })
      expect((await agent.send(completed(infohash))).status).toBe(200)
      await waitFor(
        async () => capture!.of('fanout', { jobId: job.id, event: 'status:completed' })[0],
      )
      expect(capture.of('job_phase', { jobId: job.id }).map((p) => p.phase)).toEqual([
        'submit_to_dispatch',
        'dispatch_to_first_byte',
      ])
    })
  })
})
