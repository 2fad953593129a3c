import { describe, expect, it } from 'vitest'
import { apiError, auditRows } from '../../test/helpers.ts'
import {
  callsFor,
  dispatchedJob,
  metadata,
  progress,
  waitFor,
  waitForStart,
} from '../../test/pipeline.ts'

async function downloading() {
  const dispatched = await dispatchedJob()
  await dispatched.agent.send(metadata(dispatched.infohash))
  return dispatched
}

describe('job actions', () => {
  it('pause tells the agent and holds the status while progress still arrives; resume restarts it', async () => {
    const { user, job, agent, params } = await downloading()
    expect((await user.api.pauseJob(params)).status).toBe('paused')
    expect((await callsFor(job.id)).map((c) => c.path)).toContain('/pause')
    await agent.send(progress(40))
    expect((await user.api.getJob(params)).status).toBe('paused')
    expect((await user.api.resumeJob(params)).status).toBe('downloading')
    expect((await callsFor(job.id)).map((c) => c.path)).toContain('/resume')
    expect(await auditRows('job.pause', job.id)).toHaveLength(1)
  })

  it('cancel stops the agent and is final', async () => {
    const { user, job, params } = await downloading()
    expect((await user.api.cancelJob(params)).status).toBe('cancelled')
    await waitFor(
      async () => (await callsFor(job.id)).some((c) => c.path === '/stop'),
      5000,
      '/stop',
    )
    const error = await apiError(user.api.resumeJob(params))
    expect(error.status).toBe(409)
    expect(error.message).toMatch(/cancelled job cannot be resumed/)
  })

  it('retry puts a failed job back in the queue as a new attempt', async () => {
    const { user, job, agent, params } = await downloading()
    await agent.send({ type: 'failed', code: 'no_peers', message: 'No peers.', retryable: false })
    expect((await user.api.retryJob(params)).status).toBe('queued')
    const again = await waitForStart(job.id, 2)
    expect(again.body.attempt).toBe(2)
  })

  it('answers 409 for actions the lifecycle does not allow', async () => {
    const { user, params } = await downloading()
    expect((await apiError(user.api.resumeJob(params))).status).toBe(409)
    expect((await apiError(user.api.retryJob(params))).status).toBe(409)
  })
})
