import type { WebhookEventType, WebhookPayload } from '@tseeder/shared'
import { listJobFileRows, toJobFile } from '../db/job-files.ts'
import { getJobRow, toJob } from '../db/jobs.ts'
import {
  claimWebhookDelivery,
  insertDeliveryStatement,
  listDueDeliveryIds,
  listSubscribedWebhooks,
  recordWebhookAttempt,
  type DeliveryRow,
  type WebhookRow,
} from '../db/webhooks.ts'
import {
  retryDelayMs,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  webhookSignature,
} from '../alerts/webhook.ts'
import { HttpError } from '../lib/errors.ts'
import { log } from '../lib/log.ts'
import { UnreadableSecret } from '../lib/sealed-secret.ts'
import { webhookUrlProblem, webhookUrlRules } from './endpoint-rules.ts'
import { webhookSecret } from './secrets.ts'

// Each delivery is a POST of the event's JSON, signed like the operators' alert webhook
// (INTEGRATIONS.md "Webhooks" has the scheme and a verification snippet):
//   X-Tseeder-Timestamp: <Unix ms>
//   X-Tseeder-Signature: v1=<hex HMAC-SHA256 of `${timestamp}.${body}` keyed with the secret>

export const EVENT_HEADER = 'x-tseeder-event'
export const DELIVERY_HEADER = 'x-tseeder-delivery'
/** Attempts per delivery before it is given up: 1, 2, 4 … 64 minutes apart, about 2 hours. */
export const MAX_WEBHOOK_ATTEMPTS = 8
const TIMEOUT_MS = 10_000
/** Deliveries tried per cron run at most; the rest wait for the next minute. */
const DELIVERIES_PER_RUN = 25
/** How long a claimed delivery is held from other runs while it is being sent. */
const LEASE_MS = 60_000

/**
 * Queues `job.completed` / `job.failed` for every webhook of the job's owner that wants it, each
 * with the job and its files as they are now. Called where the job's lifecycle records the
 * outcome (the `notify_finished` effect). The ids of the deliveries queued.
 */
export async function queueJobWebhooks(
  env: Env,
  userId: string,
  jobId: string,
  now = Date.now(),
): Promise<string[]> {
  const job = await getJobRow(env.DB, jobId)
  if (!job || (job.status !== 'completed' && job.status !== 'failed')) return []
  const event: WebhookEventType = job.status === 'completed' ? 'job.completed' : 'job.failed'
  const hooks = await listSubscribedWebhooks(env.DB, userId, event)
  if (!hooks.length) return []
  const files = (await listJobFileRows(env.DB, jobId)).map(toJobFile)
  const deliveries = hooks.map((hook) => {
    const id = crypto.randomUUID()
    const payload: WebhookPayload = {
      id,
      event,
      createdAt: new Date(now).toISOString(),
      job: toJob(job),
      files,
    }
    return { id, webhook_id: hook.id, event, job_id: jobId, body: JSON.stringify(payload), now }
  })
  await env.DB.batch(deliveries.map((d) => insertDeliveryStatement(env.DB, d)))
  return deliveries.map((d) => d.id)
}

async function attempt(
  env: Env,
  delivery: DeliveryRow,
  webhook: WebhookRow,
  now: number,
): Promise<boolean> {
  const started = Date.now()
  const giveUp = delivery.attempts >= MAX_WEBHOOK_ATTEMPTS
  const finish = (statusCode: number | null, error: string | null, retry: boolean) =>
    recordWebhookAttempt(env.DB, delivery, {
      at: now,
      statusCode,
      ok: error === null,
      error,
      durationMs: Date.now() - started,
      retryAt: error === null || !retry || giveUp ? null : now + retryDelayMs(delivery.attempts),
    })
  // Checked again on every attempt: the rules may have changed since the webhook was added.
  const problem = webhookUrlProblem(webhook.url, webhookUrlRules(env))
  if (problem) {
    await finish(null, `Not sent: the URL ${problem}.`, false)
    return false
  }
  let secret: string
  try {
    secret = await webhookSecret(env, webhook)
  } catch (error) {
    // Never sent unsigned. A secret sealed with another key stays unreadable (its owner rotates
    // it); a key not set yet may be set, so that delivery is retried.
    if (error instanceof UnreadableSecret) {
      log.error('webhook_secret_unreadable', { webhookId: webhook.id })
      await finish(
        null,
        "Not sent: the server can no longer read this webhook's secret. Rotate the secret to resume deliveries.",
        false,
      )
      return false
    }
    if (error instanceof HttpError) {
      await finish(
        null,
        'Not sent: the server cannot read webhook secrets yet (STORED_SECRETS_KEY is not set).',
        true,
      )
      return false
    }
    throw error
  }
  const timestamp = String(Date.now())
  try {
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'tseeder-webhooks/1',
        [EVENT_HEADER]: delivery.event,
        [DELIVERY_HEADER]: delivery.id,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: await webhookSignature(secret, timestamp, delivery.body),
      },
      body: delivery.body,
      // A redirect could lead anywhere, past the rules above: it is an answer, not followed.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    await response.body?.cancel()
    const ok = response.status >= 200 && response.status < 300
    const redirect = response.status >= 300 && response.status < 400
    await finish(
      response.status,
      ok
        ? null
        : `The endpoint answered ${response.status}${redirect ? ' (redirects are not followed)' : ''}.`,
      true,
    )
    return ok
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError'
    await finish(
      null,
      timedOut
        ? `The endpoint did not answer within ${TIMEOUT_MS / 1000} s.`
        : `The endpoint could not be reached: ${String(error).slice(0, 200)}`,
      true,
    )
    return false
  }
}

/**
 * Sends the webhook deliveries due at `now` (all users', or only `ids`), each claimed first so
 * no two runs send one twice; a failure is retried with backoff, then given up. Called at once
 * for new deliveries and by the every-minute cron for retries. How many were delivered.
 */
export async function deliverDueWebhooks(
  env: Env,
  now = Date.now(),
  ids?: string[],
): Promise<number> {
  let delivered = 0
  for (const id of ids ?? (await listDueDeliveryIds(env.DB, now, DELIVERIES_PER_RUN))) {
    const claimed = await claimWebhookDelivery(env.DB, id, now, LEASE_MS)
    if (!claimed) continue
    if (await attempt(env, claimed.delivery, claimed.webhook, now)) delivered++
  }
  if (!ids && delivered) log.info('webhooks_delivered', { delivered })
  return delivered
}
