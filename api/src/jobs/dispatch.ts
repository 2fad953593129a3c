import { DispatchMessage, type AgentStartBody } from '@tseeder/shared'
import { AgentCallError } from '../agents/client.ts'
import { startJob, stopJob } from '../agents/control.ts'
import { deliverDueAlerts, raiseAlert } from '../alerts/alert-step.ts'
import { condition } from '../alerts/rules.ts'
import { systemAuditRecord, systemAuditStatement } from '../db/audit.ts'
import type { AgentRoom } from '../db/dispatch-line.ts'
import { getJobRow, selectedFilesOf, type JobRow } from '../db/jobs.ts'
import { getPlan } from '../db/plans.ts'
import { getUsage } from '../db/usage.ts'
import { findUserById } from '../db/users.ts'
import { jobProgress } from '../durable/job-progress.ts'
import { base64 } from '../lib/crypto.ts'
import { log } from '../lib/log.ts'
import { writeMetric } from '../metrics/points.ts'
import { backoffSeconds, fillLine, MAX_ATTEMPTS } from '../queue/dispatch-queue.ts'
import { mintStorageGrant } from '../storage/grants.ts'
import { storedContentFor } from './content.ts'
import { torrentKey } from './submit.ts'

async function limitsFor(env: Env, job: JobRow) {
  const user = await findUserById(env.DB, job.user_id)
  const [plan, usage] = await Promise.all([
    getPlan(env.DB, user?.plan_id ?? 'free'),
    getUsage(env.DB, job.user_id),
  ])
  return {
    maxFileBytes: plan.maxFileBytes,
    remainingStorageBytes:
      plan.storageBytes === null ? null : Math.max(0, plan.storageBytes - usage.storageBytes),
  }
}

/**
 * What became of one job the line handed to one agent: started there; no room after all (the
 * agent answered 503: full, out of disk or shutting down — no attempt spent, the job keeps its
 * place); an agent error (an attempt spent, tried again later); or nothing to do (the job left
 * the line meanwhile, or its content was already stored).
 */
export type DispatchResult = 'dispatched' | 'no_room' | 'agent_error' | 'done'

/**
 * Starts the job on `agent` with a signed `/start` carrying job-scoped storage credentials. The
 * job's Durable Object records the start, or the agent error against the job's attempt budget.
 */
export async function dispatchTo(
  env: Env,
  jobId: string,
  agent: Pick<AgentRoom, 'id' | 'url'>,
): Promise<DispatchResult> {
  const job = await getJobRow(env.DB, jobId)
  if (!job || job.follows_job_id || !['queued', 'submitted'].includes(job.status)) return 'done'
  const progress = jobProgress(env, job.id)

  const stored = await storedContentFor(env.DB, job.infohash, selectedFilesOf(job))
  if (stored) {
    await progress.completeFromContent(job.id, stored)
    return 'done'
  }

  const failed = async (code: string, message: string): Promise<DispatchResult> => {
    const answer = await progress.waiting(job.id, { code, message })
    if (answer.outcome === 'gave_up') await alertGaveUp(env, job.id)
    return 'agent_error'
  }

  const attempt = job.attempt + 1
  const torrent =
    job.source === 'torrent' ? await env.KV.get(torrentKey(job.infohash), 'arrayBuffer') : null
  if (job.source === 'torrent' && !torrent)
    return failed('torrent_missing', 'The uploaded .torrent file is not available yet.')
  const body: AgentStartBody = {
    jobId: job.id,
    attempt,
    infohash: job.infohash,
    ...(torrent ? { torrentBase64: base64(new Uint8Array(torrent)) } : { magnet: job.magnet! }),
    ...(job.selected_files ? { selectedFiles: selectedFilesOf(job)! } : {}),
    limits: await limitsFor(env, job),
    storage: await mintStorageGrant(env, job.infohash),
  }
  try {
    await startJob(env, agent, body)
  } catch (error) {
    if (error instanceof AgentCallError && error.status === 503) {
      log.info('dispatch_no_room', { jobId: job.id, agentId: agent.id })
      return 'no_room'
    }
    log.warn('dispatch_failed', { jobId: job.id, agentId: agent.id, error: String(error) })
    return failed('agent_error', `Agent ${agent.id} could not start the job.`)
  }
  const audit = systemAuditRecord({
    action: 'job.dispatched',
    targetType: 'job',
    targetId: job.id,
    meta: { agentId: agent.id, attempt },
    now: Date.now(),
  })
  if (!(await progress.dispatched(job.id, agent.id, attempt, audit))) {
    // Paused, cancelled or deleted while /start was on its way: undo it on the agent.
    await stopJob(env, agent, job.id)
    return 'done'
  }
  log.info('job_dispatched', { jobId: job.id, agentId: agent.id, attempt })
  const ms = Math.max(0, Date.now() - (job.queued_at ?? job.created_at))
  writeMetric(env, { kind: 'queue_wait', jobId: job.id, agentId: agent.id, attempt, ms })
  return 'dispatched'
}

/** Tells the operators (log and alert) that a job used up its attempts on agent errors. */
async function alertGaveUp(env: Env, jobId: string): Promise<void> {
  log.error('dispatch_gave_up', { jobId })
  const message = `Job ${jobId} could not be started after ${MAX_ATTEMPTS} attempts (agent errors).`
  // Delivered by the cron within a minute: the line is filling and must not wait on a webhook.
  await raiseAlert(env, condition('dispatch_gave_up', jobId, message, jobId))
}

/** The message's body as a dispatch; a malformed one is logged and acknowledged (never retried). */
function dispatchMessageOf(message: Message<unknown>): DispatchMessage | null {
  const parsed = DispatchMessage.safeParse(message.body)
  if (parsed.success) return parsed.data
  log.error('dispatch_message_invalid', { id: message.id, issues: parsed.error.issues })
  message.ack()
  return null
}

/**
 * The queue consumer: the batch's jobs joined the line (or may be tried again), so the line is
 * told to fill, once for the whole batch; if it cannot be told, the notices are retried.
 */
export async function handleDispatchBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const notices = batch.messages.filter((message) => dispatchMessageOf(message))
  if (!notices.length) return
  try {
    await fillLine(env)
    for (const message of notices) message.ack()
  } catch (error) {
    log.error('dispatch_error', { error: String(error) })
    for (const message of notices) message.retry({ delaySeconds: backoffSeconds(message.attempts) })
  }
}

/**
 * The dead-letter consumer: the line could not be told about these jobs. They are still in line
 * (the cron fills it every minute); the operators are alerted.
 */
export async function handleDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const body = dispatchMessageOf(message)
    if (!body) continue
    const { jobId } = body
    log.error('dispatch_dead_lettered', { jobId })
    const job = await getJobRow(env.DB, jobId)
    const alertId = await raiseAlert(
      env,
      condition(
        'dispatch_dead_lettered',
        jobId,
        `The dispatch line could not be told about job ${jobId} after ${MAX_ATTEMPTS} deliveries; it ${job ? `is ${job.status}` : 'no longer exists'}.`,
        jobId,
      ),
    )
    if (alertId !== null) await deliverDueAlerts(env, Date.now(), alertId)
    await systemAuditStatement(env.DB, {
      action: 'job.dispatch_dead_lettered',
      targetType: 'job',
      targetId: jobId,
      meta: { status: job?.status ?? null, deliveries: MAX_ATTEMPTS },
      now: Date.now(),
    }).run()
    message.ack()
  }
}
