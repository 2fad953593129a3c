import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import worker from '../index.ts'
import {
  CRONS,
  requeueStuckJobs,
  resetBandwidth,
  sweepRetention,
  sweepStaleUploads,
} from './maintenance.ts'
import { signUp } from '../../test/helpers.ts'
import {
  callsFor,
  followedDownload,
  magnetFor,
  objectExists,
  randomInfohash,
  registerAgent,
  sleep,
  storedJob,
  waitForStart,
} from '../../test/pipeline.ts'
import { DAY } from '../lib/time.ts'

describe('cron', () => {
  it('deletes jobs past their plan\u2019s retention, frees storage and removes unreferenced objects', async () => {
    const user = await signUp()
    const { job, infohash } = await storedJob(user)
    const keep = await signUp()
    const { job: fresh } = await storedJob(keep)
    await env.DB.prepare('UPDATE jobs SET completed_at = ? WHERE id = ?')
      .bind(Date.now() - 8 * DAY, job.id)
      .run()

    const ctx = createExecutionContext()
    await worker.scheduled(
      createScheduledController({ cron: CRONS.daily, scheduledTime: Date.now() }),
      env,
      ctx,
    )
    await waitOnExecutionContext(ctx)

    expect(await env.DB.prepare('SELECT 1 FROM jobs WHERE id = ?').bind(job.id).first()).toBeNull()
    expect(
      await env.DB.prepare('SELECT 1 FROM jobs WHERE id = ?').bind(fresh.id).first(),
    ).not.toBeNull()
    expect((await user.api.me()).usage.storageBytes).toBe(0)
    expect(await objectExists(`content/${infohash}/0`)).toBe(false)
    const audit = await env.DB.prepare(
      "SELECT actor_type FROM audit_logs WHERE action = 'job.expired' AND target_id = ?",
    )
      .bind(job.id)
      .first()
    expect(audit).toMatchObject({ actor_type: 'system' })
    expect(await sweepRetention(env)).toBe(0)
  })

  it('starts a new bandwidth month for everyone', async () => {
    const user = await signUp()
    await env.DB.prepare(
      "UPDATE usage SET bandwidth_bytes = 123, bandwidth_period = '2020-01' WHERE user_id = ?",
    )
      .bind(user.userId)
      .run()
    expect(await resetBandwidth(env)).toBeGreaterThan(0)
    expect((await user.api.me()).usage.bandwidthBytes).toBe(0)
  })

  it('fills the line: a job whose notice was lost is started by the next run', async () => {
    const agent = await registerAgent()
    await env.DB.prepare('UPDATE agents SET last_heartbeat_at = 0').run()
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    await sleep(300)
    expect(await callsFor(job.id)).toEqual([])
    // The agent has room again, and nothing told the line (its heartbeat's fill was lost, say).
    await env.DB.prepare('UPDATE agents SET last_heartbeat_at = ? WHERE id = ?')
      .bind(Date.now(), agent)
      .run()
    await requeueStuckJobs(env)
    expect((await waitForStart(job.id)).agentId).toBe(agent)
  })

  it('hands the followers of a leader that stopped downloading to the queue', async () => {
    const { infohash, leader, follower } = await followedDownload()
    // A leader paused before pauses handed followers over (or its row changed behind its back).
    await env.DB.prepare("UPDATE jobs SET status = 'paused' WHERE id = ?").bind(leader.id).run()
    expect(await requeueStuckJobs(env)).toBeGreaterThan(0)
    const start = await waitForStart(follower.id)
    expect(start.body.infohash).toBe(infohash)
    const row = await env.DB.prepare('SELECT follows_job_id FROM jobs WHERE id = ?')
      .bind(follower.id)
      .first<{ follows_job_id: string | null }>()
    expect(row?.follows_job_id).toBeNull()
  })

  it('aborts multipart uploads older than a day, reporting what the store refused', async () => {
    // s3rver lists uploads but answers 501 to AbortMultipartUpload, so nothing is aborted here;
    // the sweep must survive that and say so, which is what this checks.
    expect(await sweepStaleUploads(env)).toBe(0)
  })
})
