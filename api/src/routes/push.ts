import { Hono } from 'hono'
import { endpoints } from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { auditStatement } from '../db/audit.ts'
import {
  deleteUserPushSubscriptionStatement,
  upsertPushSubscriptionStatement,
} from '../db/push-subscriptions.ts'
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
    upsertPushSubscriptionStatement(c.env.DB, {
      userId: user.id,
      endpoint: body.endpoint,
      p256dh: body.keys.p256dh,
      auth: body.keys.auth,
      now: Date.now(),
    }),
    auditStatement(c, { action: 'push.subscribed', targetType: 'push_subscription' }),
  ])
  return undefined
})

route(pushRoutes, endpoints.unsubscribePush, async (c, { body }) => {
  const { user } = requireAuth(c)
  await c.env.DB.batch([
    deleteUserPushSubscriptionStatement(c.env.DB, body.endpoint, user.id),
    auditStatement(c, { action: 'push.unsubscribed', targetType: 'push_subscription' }),
  ])
  return undefined
})
