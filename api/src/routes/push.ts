import { Hono } from 'hono'
import { endpoints } from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { auditStatement } from '../db/audit.ts'
import { HttpError } from '../lib/errors.ts'
import { requireAuth, route } from '../lib/route.ts'
import { vapidConfigured } from '../push/notify.ts'

export const pushRoutes = new Hono<AppEnv>()

route(pushRoutes, endpoints.pushKey, async (c) => {
  if (!vapidConfigured(c.env)) {
    throw new HttpError(
      503,
      'service_unavailable',
      'Push notifications are not configured on this server.',
    )
  }
  return { publicKey: c.env.VAPID_PUBLIC_KEY }
})

route(pushRoutes, endpoints.subscribePush, async (c, { body }) => {
  const { user } = requireAuth(c)
  await c.env.DB.batch([
    c.env.DB.prepare(
      `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth`,
    ).bind(
      crypto.randomUUID(),
      user.id,
      body.endpoint,
      body.keys.p256dh,
      body.keys.auth,
      Date.now(),
    ),
    auditStatement(c, { action: 'push.subscribed', targetType: 'push_subscription' }),
  ])
  return undefined
})

route(pushRoutes, endpoints.unsubscribePush, async (c, { body }) => {
  const { user } = requireAuth(c)
  await c.env.DB.batch([
    c.env.DB.prepare('DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ?').bind(
      body.endpoint,
      user.id,
    ),
    auditStatement(c, { action: 'push.unsubscribed', targetType: 'push_subscription' }),
  ])
  return undefined
})
