import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { dispatchedJob, metadata, progress } from '../../test/pipeline.ts'
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
})
