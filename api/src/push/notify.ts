import { buildPushPayload, type PushSubscription } from '@block65/webcrypto-web-push'
import type { JobPushMessage } from '@tseeder/shared'
import { getJobRow } from '../db/jobs.ts'
import {
  deletePushSubscription,
  listPushSubscriptions,
  markPushDelivered,
  type PushSubscriptionRow,
} from '../db/push-subscriptions.ts'
import { log } from '../lib/log.ts'
import { isPushServiceEndpoint, pushServiceHosts } from './push-services.ts'

export function vapidConfigured(env: Env): boolean {
  return Boolean(env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY)
}

/**
 * Sends "<job> finished" / "<job> failed" to every push subscription of the job's owner
 * (RFC 8291 aes128gcm, VAPID), and forgets subscriptions the push service says are gone.
 */
export async function notifyJobFinished(env: Env, userId: string, jobId: string): Promise<void> {
  if (!vapidConfigured(env)) return
  const job = await getJobRow(env.DB, jobId)
  if (!job || (job.status !== 'completed' && job.status !== 'failed')) return
  const hosts = pushServiceHosts(env.PUSH_SERVICE_HOSTS)
  const results: PushSubscriptionRow[] = []
  for (const row of await listPushSubscriptions(env.DB, userId)) {
    if (isPushServiceEndpoint(row.endpoint, hosts)) results.push(row)
    // Saved before the allow-list existed, or the operator narrowed it: never contacted again.
    else await deletePushSubscription(env.DB, row.id)
  }
  if (results.length === 0) return

  const message: JobPushMessage = {
    type: 'job',
    jobId,
    name: job.name,
    status: job.status,
    title: job.status === 'completed' ? `${job.name} finished` : `${job.name} failed`,
    body:
      job.status === 'completed'
        ? 'Your files are ready.'
        : (job.error_message ?? 'The download failed.'),
    url: `/jobs/${jobId}`,
  }
  const vapid = {
    subject: env.VAPID_SUBJECT,
    publicKey: env.VAPID_PUBLIC_KEY,
    privateKey: env.VAPID_PRIVATE_KEY,
  }

  await Promise.all(
    results.map(async (row) => {
      const subscription: PushSubscription = {
        endpoint: row.endpoint,
        expirationTime: null,
        keys: { p256dh: row.p256dh, auth: row.auth },
      }
      try {
        const payload = await buildPushPayload(
          { data: JSON.stringify(message), options: { ttl: 24 * 3600, urgency: 'normal' } },
          subscription,
          vapid,
        )
        const response = await fetch(row.endpoint, payload)
        if (response.status === 404 || response.status === 410) {
          await deletePushSubscription(env.DB, row.id)
        } else if (response.ok) {
          await markPushDelivered(env.DB, row.id, Date.now())
        } else {
          log.warn('push_rejected', { jobId, status: response.status })
        }
      } catch (error) {
        log.warn('push_error', { jobId, error: String(error) })
      }
    }),
  )
}
