import { env } from 'cloudflare:test'
import { ACTIVE_STATUSES } from '@tseeder/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

// The Free plan, every new user's, transfers two jobs at a time; here it keeps one more waiting
// (10 in production), so three jobs take all its room.
describe('the active-jobs limit', () => {
  beforeAll(async () => {
    await env.DB.prepare("UPDATE plans SET max_queued_jobs = 1 WHERE id = 'free'").run()
  })
  afterAll(async () => {
    await env.DB.prepare("UPDATE plans SET max_queued_jobs = 10 WHERE id = 'free'").run()
  })

  it('refuses to resume a paused job once the plan’s slots are taken, and the job stays paused', async () => {
    await registerAgent()
    const user = await signUp()
    const first = await newMagnet(user)
    await newMagnet(user)
    await newMagnet(user)
    await user.api.pauseJob({ params: { id: first.id } })
    await newMagnet(user)
    const error = await apiError(user.api.resumeJob({ params: { id: first.id } }))
    expect(error).toMatchObject(overLimit)
    expect(error.message).toBe(
      'The Free plan runs 2 jobs at a time and keeps up to 1 more waiting; all 3 are taken. Wait for one to finish, or pause or cancel one.',
    )
    expect(await user.api.getJob({ params: { id: first.id } })).toMatchObject({ status: 'paused' })
    expect(await activeJobs(user.userId)).toBe(3)
  })

  it('refuses to retry a failed job once the plan’s slots are taken', async () => {
    const { user, job, agent } = await dispatchedJob()
    await agent.send({ type: 'failed', code: 'no_peers', message: 'None.', retryable: false })
    await newMagnet(user)
    await newMagnet(user)
    await newMagnet(user)
    const error = await apiError(user.api.retryJob({ params: { id: job.id } }))
    expect(error).toMatchObject(overLimit)
    expect(await user.api.getJob({ params: { id: job.id } })).toMatchObject({ status: 'failed' })
    expect(await activeJobs(user.userId)).toBe(3)
  })

  it('refuses to start a job on its chosen files once the plan’s slots are taken', async () => {
    const user = await signUp()
    const waiting = await uploadChoosing(user, [{ path: 'a.bin', length: 10 }])
    expect(waiting.status).toBe('paused')
    await newMagnet(user)
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
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => newMagnet(user)))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3)
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject(overLimit)
    expect(await activeJobs(user.userId)).toBe(3)
    const { jobs } = await user.api.listJobs({ query: {} })
    expect(jobs).toHaveLength(3)
  })

  it('lets a paused job resume once a slot is free again', async () => {
    const user = await signUp()
    const first = await newMagnet(user)
    const second = await newMagnet(user)
    await newMagnet(user)
    await user.api.pauseJob({ params: { id: first.id } })
    await newMagnet(user)
    await user.api.cancelJob({ params: { id: second.id } })
    const resumed = await user.api.resumeJob({ params: { id: first.id } })
    // Back in line, where the agent's free slot may already have taken it.
    expect(['queued', 'metadata_fetch']).toContain(resumed.status)
    expect(await activeJobs(user.userId)).toBe(3)
  })
})
