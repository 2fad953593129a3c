import {
  AGENT_STALE_MS,
  DISPATCH_STATUSES,
  ENDED_STATUSES,
  RUNNING_STATUSES,
} from '@tseeder/shared'
import type { JobRow } from '../db/jobs.ts'
import { sqlList } from '../db/sql.ts'
import { jobProgress } from '../durable/job-progress.ts'
import { log } from '../lib/log.ts'
import { billingPeriod, DAY, MINUTE } from '../lib/time.ts'
import { abortMultipartUpload, listStaleMultipartUploads } from '../storage/multipart.ts'
import { enqueueDispatch } from '../queue/dispatch-queue.ts'
import { removeJob } from './remove.ts'

export const CRONS = {
  daily: '17 3 * * *',
  monthly: '0 0 1 * *',
  frequent: '*/5 * * * *',
} as const

/** Deletes jobs whose plan's retention has run out since they completed (or failed/cancelled). */
export async function sweepRetention(env: Env, now = Date.now()): Promise<number> {
  const { results } = await env.DB.prepare(
    `SELECT j.* FROM jobs j JOIN users u ON u.id = j.user_id JOIN plans p ON p.id = u.plan_id
     WHERE p.retention_days IS NOT NULL AND j.status IN (${sqlList(ENDED_STATUSES)})
       AND COALESCE(j.completed_at, j.updated_at) < ? - p.retention_days * ?
     LIMIT 500`,
  )
    .bind(now, DAY)
    .all<JobRow>()
  for (const job of results) {
    await removeJob(env, job, [
      env.DB.prepare(
        `INSERT INTO audit_logs (created_at, actor_type, action, target_type, target_id, meta) VALUES (?, 'system', 'job.expired', 'job', ?, ?)`,
      ).bind(now, job.id, JSON.stringify({ userId: job.user_id, infohash: job.infohash })),
    ])
  }
  return results.length
}

/** Starts everyone's new bandwidth month (reads already treat an old month as zero). */
export async function resetBandwidth(env: Env, now = Date.now()): Promise<number> {
  const period = billingPeriod(now)
  const result = await env.DB.prepare(
    'UPDATE usage SET bandwidth_bytes = 0, bandwidth_period = ?, updated_at = ? WHERE bandwidth_period <> ?',
  )
    .bind(period, now, period)
    .run()
  return result.meta.changes
}

/** Aborts multipart uploads an agent started more than a day ago and never finished. */
export async function sweepStaleUploads(env: Env, now = Date.now()): Promise<number> {
  const stale = await listStaleMultipartUploads(env, now - DAY)
  let aborted = 0
  for (const upload of stale) {
    if (await abortMultipartUpload(env, upload)) aborted++
  }
  return aborted
}

/**
 * Backstop for the per-job watchdog: active jobs on agents that stopped heartbeating are checked
 * now, and jobs left waiting for a dispatch for 15 minutes are put back on the queue.
 */
export async function requeueStuckJobs(env: Env, now = Date.now()): Promise<number> {
  const { results: orphaned } = await env.DB.prepare(
    `SELECT j.id FROM jobs j LEFT JOIN agents a ON a.id = j.agent_id
     WHERE j.status IN (${sqlList(RUNNING_STATUSES)}) AND j.follows_job_id IS NULL
       AND (a.id IS NULL OR a.last_heartbeat_at < ?)`,
  )
    .bind(now - AGENT_STALE_MS)
    .all<{ id: string }>()
  for (const { id } of orphaned) await jobProgress(env, id).checkStale(id)

  const { results: waiting } = await env.DB.prepare(
    `SELECT * FROM jobs WHERE status IN (${sqlList(DISPATCH_STATUSES)}) AND follows_job_id IS NULL AND updated_at < ?`,
  )
    .bind(now - 15 * MINUTE)
    .all<JobRow>()
  for (const job of waiting) await enqueueDispatch(env, job)
  if (orphaned.length || waiting.length)
    log.info('stuck_jobs', { orphaned: orphaned.length, waiting: waiting.length })
  return orphaned.length + waiting.length
}

export async function runScheduled(cron: string, env: Env): Promise<void> {
  if (cron === CRONS.daily) {
    log.info('cron_daily', {
      expired: await sweepRetention(env),
      uploadsAborted: await sweepStaleUploads(env),
    })
  } else if (cron === CRONS.monthly) {
    log.info('cron_monthly', { bandwidthReset: await resetBandwidth(env) })
  } else {
    await requeueStuckJobs(env)
  }
}
