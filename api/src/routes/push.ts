import { Hono } from 'hono'
import { endpoints } from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { auditStatement } from '../db/audit.ts'
import {
  deleteUserPushSubscriptionStatement,
  savePushSubscription,
  trimPushSubscriptionsStatement,
} from '../db/push-subscriptions.ts'
import { HttpError } from '../lib/errors.ts'
import { requireAuth, route } from '../lib/route.ts'
import { vapidConfigured } from '../push/notify.ts'
import { isPushServiceEndpoint, pushServiceHosts } from '../push/push-services.ts'

/**
 * Devices per user that get notifications. Enabling them on one more device drops the oldest
 * subscription, which is most likely a browser that is no longer used.
 */
export const MAX_PUSH_SUBSCRIPTIONS = 5

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
  if (!isPushServiceEndpoint(body.endpoint, pushServiceHosts(c.env.PUSH_SERVICE_HOSTS))) {
    throw new HttpError(
      400,
      'bad_request',
      'This browser’s push service is not one this server sends notifications to.',
    )
  }
  const saved = await savePushSubscription(c.env.DB, {
    userId: user.id,
    endpoint: body.endpoint,
    p256dh: body.keys.p256dh,
    auth: body.keys.auth,
    now: Date.now(),
  })
  if (!saved) {
    throw new HttpError(
      409,
      'conflict',
      'This browser was getting notifications for another account. Turn notifications on again to get them for this account instead.',
    )
  }
  await c.env.DB.batch([
    trimPushSubscriptionsStatement(c.env.DB, user.id, MAX_PUSH_SUBSCRIPTIONS),
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
