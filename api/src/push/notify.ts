import { buildPushPayload, type PushSubscription } from '@block65/webcrypto-web-push'
import type { JobPushMessage } from '@tseeder/shared'
import { log } from '../lib/log.ts'

interface SubscriptionRow {
  id: string
  endpoint: string
  p256dh: string
  auth: string
}

export function vapidConfigured(env: Env): boolean {
  return Boolean(env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY)
}

/**
 * Sends "<job> finished" / "<job> failed" to every push subscription of the job's owner
 * (RFC 8291 aes128gcm, VAPID), and forgets subscriptions the push service says are gone.
 */
export async function notifyJobFinished(env: Env, userId: string, jobId: string): Promise<void> {
  if (!vapidConfigured(env)) return
  const job = await env.DB.prepare('SELECT name, status, error_message FROM jobs WHERE id = ?')
    .bind(jobId)
    .first<{ name: string; status: string; error_message: string | null }>()
  if (!job || (job.status !== 'completed' && job.status !== 'failed')) return
  const { results } = await env.DB.prepare(
    'SELECT id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = ?',
  )
    .bind(userId)
    .all<SubscriptionRow>()
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
          await env.DB.prepare('DELETE FROM push_subscriptions WHERE id = ?').bind(row.id).run()
        } else if (response.ok) {
          await env.DB.prepare('UPDATE push_subscriptions SET last_success_at = ? WHERE id = ?')
            .bind(Date.now(), row.id)
            .run()
        } else {
          log.warn('push_rejected', { jobId, status: response.status })
        }
      } catch (error) {
        log.warn('push_error', { jobId, error: String(error) })
      }
    }),
  )
}
