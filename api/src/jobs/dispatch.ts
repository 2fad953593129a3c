import {
  DispatchMessage,
  ENDED_STATUSES,
  isDispatchStatus,
  type AgentStartBody,
  type JobStatus,
} from '@tseeder/shared'
import { startJob, stopJob } from '../agents/control.ts'
import { pickAgent } from '../agents/registry.ts'
import { recordAlert } from '../db/alerts.ts'
import { getJobRow, selectedFilesOf, type JobRow } from '../db/jobs.ts'
import { getPlan } from '../db/plans.ts'
import { getUsage } from '../db/usage.ts'
import { findUserById } from '../db/users.ts'
import { jobProgress } from '../durable/job-progress.ts'
import { base64 } from '../lib/crypto.ts'
import { log } from '../lib/log.ts'
import { backoffSeconds, MAX_ATTEMPTS } from '../queue/dispatch-queue.ts'
import { mintStorageGrant } from '../storage/grants.ts'
import { storedContentFor } from './content.ts'
import { torrentKey } from './submit.ts'

/** What becomes of a message: acknowledged, retried after a delay, or dead-lettered. */
type Outcome = { type: 'done' } | { type: 'retry'; delaySeconds: number } | { type: 'dead' }

const DONE: Outcome = { type: 'done' }

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
 * One delivery of a dispatch message: hand the job to the least-loaded healthy agent with a
 * signed `/start` carrying job-scoped storage credentials. When no agent can take it, the job's
 * Durable Object counts the try against the job's attempt budget and says whether to retry
 * (with backoff) or give up.
 */
export async function dispatchJob(
  env: Env,
  message: DispatchMessage,
  delivery: number,
): Promise<Outcome> {
  const job = await getJobRow(env.DB, message.jobId)
  if (!job || job.follows_job_id || !isDispatchStatus(job.status)) return DONE
  const progress = jobProgress(env, job.id)

  const stored = await storedContentFor(env.DB, job.infohash, selectedFilesOf(job))
  if (stored) {
    await progress.completeFromContent(job.id, stored)
    return DONE
  }

  const wait = async (code: string, text: string): Promise<Outcome> => {
    const answer = await progress.waiting(job.id, { code, message: text }, delivery)
    if (answer.outcome === 'gave_up') return { type: 'dead' }
    if (answer.outcome === 'retry') return { type: 'retry', delaySeconds: answer.delaySeconds }
    return DONE
  }

  const agent = await pickAgent(env.DB, job.bytes_total)
  if (!agent)
    return wait(
      'no_agent',
      'No compute agent is free right now; the job will start as soon as one is.',
    )

  const attempt = job.attempt + 1
  const torrent =
    job.source === 'torrent' ? await env.KV.get(torrentKey(job.infohash), 'arrayBuffer') : null
  if (job.source === 'torrent' && !torrent)
    return wait('torrent_missing', 'The uploaded .torrent file is not available yet.')
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
    log.warn('dispatch_failed', { jobId: job.id, agentId: agent.id, error: String(error) })
    return wait('agent_error', `Agent ${agent.id} could not start the job.`)
  }
  if (!(await progress.dispatched(job.id, agent.id, attempt, delivery))) {
    // Paused, cancelled or deleted while /start was on its way: undo it on the agent.
    await stopJob(env, agent, job.id)
    return DONE
  }
  log.info('job_dispatched', { jobId: job.id, agentId: agent.id, attempt })
  return DONE
}

/** The message's body as a dispatch; a malformed one is logged and acknowledged (never retried). */
function dispatchMessageOf(message: Message<unknown>): DispatchMessage | null {
  const parsed = DispatchMessage.safeParse(message.body)
  if (parsed.success) return parsed.data
  log.error('dispatch_message_invalid', { id: message.id, issues: parsed.error.issues })
  message.ack()
  return null
}

/** The queue consumer: one dispatch per message; failures retry with exponential backoff. */
export async function handleDispatchBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const body = dispatchMessageOf(message)
    if (!body) continue
    try {
      const outcome = await dispatchJob(env, body, message.attempts)
      if (outcome.type === 'done') message.ack()
      else if (outcome.type === 'retry') message.retry({ delaySeconds: outcome.delaySeconds })
      // A dead message on its last delivery is retried on purpose: past max_retries the queue
      // moves it to the DLQ, whose consumer alerts. A job whose budget ran out earlier (its
      // tries spread over several messages) would only be acked there: alert now.
      else if (message.attempts >= MAX_ATTEMPTS) message.retry({ delaySeconds: 0 })
      else {
        await alertUndispatched(env, body.jobId, 'dispatch_gave_up', 'used up its attempts')
        message.ack()
      }
    } catch (error) {
      log.error('dispatch_error', { jobId: body.jobId, error: String(error) })
      message.retry({ delaySeconds: backoffSeconds(message.attempts) })
    }
  }
}

/** Tells the operators (log and admin alert) that a job could not be dispatched. */
async function alertUndispatched(
  env: Env,
  jobId: string,
  kind: 'dispatch_dead_lettered' | 'dispatch_gave_up',
  how: string,
): Promise<void> {
  log.error(kind, { jobId })
  const message = `Job ${jobId} could not be dispatched after ${MAX_ATTEMPTS} attempts and ${how}.`
  await recordAlert(env.DB, { kind, jobId, message })
}

/** The dead-letter consumer: every message here is a job that could not be dispatched. */
export async function handleDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const body = dispatchMessageOf(message)
    if (!body) continue
    const { jobId } = body
    await alertUndispatched(env, jobId, 'dispatch_dead_lettered', 'was dead-lettered')
    const job = await getJobRow(env.DB, jobId)
    if (job && !(ENDED_STATUSES as readonly JobStatus[]).includes(job.status)) {
      await jobProgress(env, jobId).failPermanently(jobId, {
        code: 'no_agent',
        message: 'No agent could take the job.',
      })
    }
    message.ack()
  }
}
