import { type AgentStartBody, agentProtocol } from '@tseeder/shared'
import { callAgent } from '../agents/client.ts'
import { pickAgent } from '../agents/registry.ts'
import { getJobRow, selectedFilesOf, type JobRow } from '../db/jobs.ts'
import { getPlan, getUsage } from '../db/plans.ts'
import { jobProgress } from '../durable/job-progress.ts'
import { storedContentFor } from './content.ts'
import { base64 } from '../lib/crypto.ts'
import { log } from '../lib/log.ts'
import { mintStorageGrant } from '../storage/grants.ts'
import { backoffSeconds, type DispatchMessage, MAX_ATTEMPTS } from './queue.ts'
import { torrentKey } from './submit.ts'

type Outcome = 'done' | 'retry' | 'dead'

async function limitsFor(env: Env, job: JobRow) {
  const user = await env.DB.prepare('SELECT plan_id FROM users WHERE id = ?')
    .bind(job.user_id)
    .first<{ plan_id: 'free' }>()
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
 * signed `/start` carrying job-scoped storage credentials. Waits (retry with backoff) when no
 * agent can take it; gives up after {@link MAX_ATTEMPTS}.
 */
export async function dispatchJob(
  env: Env,
  message: DispatchMessage,
  delivery: number,
): Promise<Outcome> {
  const job = await getJobRow(env.DB, message.jobId)
  if (!job || job.follows_job_id || (job.status !== 'submitted' && job.status !== 'queued'))
    return 'done'
  const progress = jobProgress(env, job.id)

  const stored = await storedContentFor(env.DB, job.infohash, selectedFilesOf(job))
  if (stored) {
    await progress.completeFromContent(job.id, stored)
    return 'done'
  }

  const giveUp = async (code: string, text: string): Promise<Outcome> => {
    if (delivery >= MAX_ATTEMPTS) {
      await progress.failPermanently(job.id, {
        code,
        message: `${text} Gave up after ${MAX_ATTEMPTS} attempts.`,
      })
      return 'dead'
    }
    await progress.waiting(job.id, { code, message: text })
    return 'retry'
  }

  const agent = await pickAgent(env.DB, job.bytes_total)
  if (!agent)
    return giveUp(
      'no_agent',
      'No compute agent is free right now; the job will start as soon as one is.',
    )

  const attempt = job.attempt + 1
  const torrent =
    job.source === 'torrent' ? await env.KV.get(torrentKey(job.infohash), 'arrayBuffer') : null
  if (job.source === 'torrent' && !torrent)
    return giveUp('torrent_missing', 'The uploaded .torrent file is not available yet.')
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
    await callAgent(env, agent, agentProtocol.start, body)
  } catch (error) {
    log.warn('dispatch_failed', { jobId: job.id, agentId: agent.id, error: String(error) })
    return giveUp('agent_error', `Agent ${agent.id} could not start the job.`)
  }
  if (!(await progress.dispatched(job.id, agent.id, attempt))) {
    // Paused, cancelled or deleted while /start was on its way: undo it on the agent.
    await callAgent(env, agent, agentProtocol.stop, { jobId: job.id, removeData: true }).catch(
      (error) =>
        log.warn('agent_stop_failed', { jobId: job.id, agentId: agent.id, error: String(error) }),
    )
    return 'done'
  }
  log.info('job_dispatched', { jobId: job.id, agentId: agent.id, attempt })
  return 'done'
}

/** The queue consumer: one dispatch per message; failures retry with exponential backoff. */
export async function handleDispatchBatch(
  batch: MessageBatch<DispatchMessage>,
  env: Env,
): Promise<void> {
  for (const message of batch.messages) {
    try {
      const outcome = await dispatchJob(env, message.body, message.attempts)
      if (outcome === 'done') message.ack()
      // A dead message is retried past max_retries on purpose: the queue moves it to the DLQ.
      else
        message.retry({ delaySeconds: outcome === 'dead' ? 0 : backoffSeconds(message.attempts) })
    } catch (error) {
      log.error('dispatch_error', { jobId: message.body.jobId, error: String(error) })
      message.retry({ delaySeconds: backoffSeconds(message.attempts) })
    }
  }
}

/** The dead-letter consumer: every message here is a job that could not be dispatched. */
export async function handleDeadLetters(
  batch: MessageBatch<DispatchMessage>,
  env: Env,
): Promise<void> {
  for (const message of batch.messages) {
    const { jobId } = message.body
    const text = `Job ${jobId} could not be dispatched after ${MAX_ATTEMPTS} attempts and was dead-lettered.`
    log.error('dispatch_dead_lettered', { jobId })
    await env.DB.prepare(
      'INSERT INTO alerts (created_at, kind, job_id, message) VALUES (?, ?, ?, ?)',
    )
      .bind(Date.now(), 'dispatch_dead_lettered', jobId, text)
      .run()
    const job = await getJobRow(env.DB, jobId)
    if (
      job &&
      job.status !== 'failed' &&
      job.status !== 'completed' &&
      job.status !== 'cancelled'
    ) {
      await jobProgress(env, jobId).failPermanently(jobId, {
        code: 'no_agent',
        message: 'No agent could take the job.',
      })
    }
    message.ack()
  }
}
