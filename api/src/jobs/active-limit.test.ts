import { env } from 'cloudflare:test'
import { ACTIVE_STATUSES } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import { apiError, signUp, type SignedUp } from '../../test/helpers.ts'
import {
  dispatchedJob,
  magnetFor,
  randomInfohash,
  registerAgent,
  uploadChoosing,
} from '../../test/pipeline.ts'

const newMagnet = (user: SignedUp) =>
  user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })

/** How many of the user's jobs are active in D1, whatever any check said. */
async function activeJobs(userId: string): Promise<number> {
  const row = await env.DB.prepare(
    `SELECT COUNT(*) AS n FROM jobs WHERE user_id = ? AND status IN (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`,
  )
    .bind(userId)
    .first<{ n: number }>()
  return row!.n
}

const overLimit = { status: 422, code: 'quota_exceeded', limit: 'active_jobs' }

// The Free plan, every new user's, runs two jobs at a time.
describe('the active-jobs limit', () => {
  it('refuses to resume a paused job once the plan’s slots are taken, and the job stays paused', async () => {
    await registerAgent()
    const user = await signUp()
    const first = await newMagnet(user)
    await newMagnet(user)
    await user.api.pauseJob({ params: { id: first.id } })
    await newMagnet(user)
    const error = await apiError(user.api.resumeJob({ params: { id: first.id } }))
    expect(error).toMatchObject(overLimit)
    expect(error.message).toMatch(/Free plan runs 2 jobs at a time/)
    expect(await user.api.getJob({ params: { id: first.id } })).toMatchObject({ status: 'paused' })
    expect(await activeJobs(user.userId)).toBe(2)
  })

  it('refuses to retry a failed job once the plan’s slots are taken', async () => {
    const { user, job, agent } = await dispatchedJob()
    await agent.send({ type: 'failed', code: 'no_peers', message: 'None.', retryable: false })
    await newMagnet(user)
    await newMagnet(user)
    const error = await apiError(user.api.retryJob({ params: { id: job.id } }))
    expect(error).toMatchObject(overLimit)
    expect(await user.api.getJob({ params: { id: job.id } })).toMatchObject({ status: 'failed' })
    expect(await activeJobs(user.userId)).toBe(2)
  })

  it('refuses to start a job on its chosen files once the plan’s slots are taken', async () => {
    const user = await signUp()
    const waiting = await uploadChoosing(user, [{ path: 'a.bin', length: 10 }])
    expect(waiting.status).toBe('paused')
    await newMagnet(user)
    await newMagnet(user)
    const error = await apiError(
      user.api.resumeJob({ params: { id: waiting.id }, body: { selectedFiles: [0] } }),
    )
    expect(error).toMatchObject(overLimit)
    expect(await user.api.getJob({ params: { id: waiting.id } })).toMatchObject({
      status: 'paused',
      awaitingFiles: true,
    })
  })

  it('never lets parallel creates run more jobs than the plan allows', async () => {
    const user = await signUp()
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => newMagnet(user)))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2)
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject(overLimit)
    expect(await activeJobs(user.userId)).toBe(2)
    const { jobs } = await user.api.listJobs({ query: {} })
    expect(jobs).toHaveLength(2)
  })

  it('lets a paused job resume once a slot is free again', async () => {
    const user = await signUp()
    const first = await newMagnet(user)
    const second = await newMagnet(user)
    await user.api.pauseJob({ params: { id: first.id } })
    await newMagnet(user)
    await user.api.cancelJob({ params: { id: second.id } })
    const resumed = await user.api.resumeJob({ params: { id: first.id } })
    expect(resumed.status).toBe('queued')
    expect(await activeJobs(user.userId)).toBe(2)
  })
})
