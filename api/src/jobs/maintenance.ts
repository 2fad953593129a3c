import { AGENT_STALE_MS } from '@tseeder/shared'
import { pruneOldAlerts, runAlertStep } from '../alerts/alert-step.ts'
import { systemAuditStatement } from '../db/audit.ts'
import { listOverdueInLine } from '../db/dispatch-line.ts'
import { listExpiredJobs, listOrphanedJobIds, listStrandedLeaderIds } from '../db/jobs.ts'
import { Followers } from '../durable/job-followers.ts'
import { resetBandwidthUsage } from '../db/usage.ts'
import { jobProgress } from '../durable/job-progress.ts'
import { forgetReads } from '../durable/user-session.ts'
import { log } from '../lib/log.ts'
import { billingPeriod, DAY } from '../lib/time.ts'
import { abortMultipartUpload, listStaleMultipartUploads } from '../storage/multipart.ts'
import { dispatchLine } from '../queue/dispatch-queue.ts'
import { deliverDueWebhooks } from '../webhooks/deliver.ts'
import { sealPlainWebhookSecrets } from '../webhooks/secrets.ts'
import { removeJob } from './remove.ts'

export const CRONS = {
  daily: '17 3 * * *',
  monthly: '0 0 1 * *',
  frequent: '* * * * *',
} as const

/** Deletes jobs whose plan's retention has run out since they completed (or failed/cancelled). */
export async function sweepRetention(env: Env, now = Date.now()): Promise<number> {
  const expired = await listExpiredJobs(env.DB, now)
  for (const job of expired) {
    await removeJob(env, job, [
      systemAuditStatement(env.DB, {
        action: 'job.expired',
        targetType: 'job',
        targetId: job.id,
        meta: { userId: job.user_id, infohash: job.infohash },
        now,
      }),
    ])
  }
  return expired.length
}

/** Starts everyone's new bandwidth month (reads already treat an old month as zero). */
export async function resetBandwidth(env: Env, now = Date.now()): Promise<number> {
  return resetBandwidthUsage(env.DB, billingPeriod(now), now)
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
 * Jobs that waited in line longer than their owner's plan allows fail, saying so; they can be
 * retried when the fleet is less busy.
 */
export async function failOverdueInLine(env: Env, now = Date.now()): Promise<number> {
  const overdue = await listOverdueInLine(env.DB, now)
  for (const id of overdue) {
    await jobProgress(env, id).failPermanently(id, {
      code: 'queue_timeout',
      message:
        'No agent had room for this job within the time your plan allows it to wait in line. Retry it when the service is less busy.',
    })
  }
  return overdue.length
}

/**
 * Backstop for the per-job watchdog and the line's own triggers: active jobs on agents that
 * stopped heartbeating are checked now, jobs past their plan's wait in line fail, followers of a
 * leader that no longer downloads are handed over (the first of them downloads), and the line
 * is filled.
 */
export async function requeueStuckJobs(env: Env, now = Date.now()): Promise<number> {
  const orphaned = await listOrphanedJobIds(env.DB, now - AGENT_STALE_MS)
  for (const id of orphaned) await jobProgress(env, id).checkStale(id)

  const overdue = await failOverdueInLine(env, now)

  const stranded = await listStrandedLeaderIds(env.DB)
  const followers = new Followers(
    env.DB,
    (id) => jobProgress(env, id),
    (userId) => forgetReads(env, userId),
  )
  for (const leaderId of stranded) {
    await followers.handOver(leaderId)
    // The leader's cached list of followers is out of date now.
    await jobProgress(env, leaderId).followersChanged()
  }
  const filled = await dispatchLine(env).fillNow()
  if (orphaned.length || overdue || stranded.length || filled.dispatched) {
    log.info('stuck_jobs', {
      orphaned: orphaned.length,
      overdue,
      stranded: stranded.length,
      dispatched: filled.dispatched,
    })
  }
  return orphaned.length + overdue + stranded.length
}

export async function runScheduled(cron: string, env: Env): Promise<void> {
  if (cron === CRONS.daily) {
    log.info('cron_daily', {
      expired: await sweepRetention(env),
      uploadsAborted: await sweepStaleUploads(env),
      alertsForgotten: await pruneOldAlerts(env),
      webhookSecretsSealed: await sealPlainWebhookSecrets(env),
    })
  } else if (cron === CRONS.monthly) {
    log.info('cron_monthly', { bandwidthReset: await resetBandwidth(env) })
  } else {
    try {
      await requeueStuckJobs(env)
    } finally {
      // Webhook retries and alerts run even when the rest of the minute's work failed.
      await deliverDueWebhooks(env).catch((error) =>
        log.error('webhook_retries_failed', { error: String(error) }),
      )
      await runAlertStep(env)
    }
  }
}
