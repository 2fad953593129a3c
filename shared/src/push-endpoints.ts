import { endpoint, type Endpoint } from './endpoint.ts'
import { PushKey, PushSubscriptionBody } from './schemas/push.ts'

/** Web Push subscriptions: part of the one endpoint table (`endpoints`). */
export const pushEndpoints = {
  pushKey: endpoint({
    method: 'GET',
    path: '/api/push/key',
    access: 'public',
    response: PushKey,
    status: 200,
  }),
  subscribePush: endpoint({
    method: 'POST',
    path: '/api/push/subscriptions',
    access: 'session',
    body: PushSubscriptionBody,
    response: null,
    status: 204,
  }),
  unsubscribePush: endpoint({
    method: 'DELETE',
    path: '/api/push/subscriptions',
    access: 'session',
    body: PushSubscriptionBody.pick({ endpoint: true }),
    response: null,
    status: 204,
  }),
} as const satisfies Record<string, Endpoint>
