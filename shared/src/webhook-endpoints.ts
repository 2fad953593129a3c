import { endpoint, type Endpoint } from './endpoint.ts'
import { IdParams } from './schemas/common.ts'
import {
  CreateWebhookBody,
  WebhookAttemptList,
  WebhookList,
  WebhookWithSecret,
} from './schemas/webhook.ts'

/**
 * Completion webhooks (signed POSTs when a job completes or fails): part of the one endpoint
 * table (`endpoints`). Browser sessions only, like API tokens: a token cannot add a place for
 * the account's events to go.
 */
export const webhookEndpoints = {
  listWebhooks: endpoint({
    method: 'GET',
    path: '/api/webhooks',
    access: 'session',
    response: WebhookList,
    status: 200,
  }),
  createWebhook: endpoint({
    method: 'POST',
    path: '/api/webhooks',
    access: 'session',
    body: CreateWebhookBody,
    response: WebhookWithSecret,
    status: 201,
  }),
  deleteWebhook: endpoint({
    method: 'DELETE',
    path: '/api/webhooks/:id',
    access: 'session',
    params: IdParams,
    response: null,
    status: 204,
  }),
  rotateWebhookSecret: endpoint({
    method: 'POST',
    path: '/api/webhooks/:id/rotate-secret',
    access: 'session',
    params: IdParams,
    response: WebhookWithSecret,
    status: 200,
  }),
  listWebhookAttempts: endpoint({
    method: 'GET',
    path: '/api/webhooks/:id/attempts',
    access: 'session',
    params: IdParams,
    response: WebhookAttemptList,
    status: 200,
  }),
} as const satisfies Record<string, Endpoint>
