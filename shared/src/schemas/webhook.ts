import { z } from 'zod'
import { Id, Timestamp } from './common.ts'
import { Job, JobFile } from './job.ts'

/** What a webhook can be told: a job finished downloading, or failed for good. */
export const WebhookEventType = z.enum(['job.completed', 'job.failed'])
export type WebhookEventType = z.infer<typeof WebhookEventType>

/** Webhook endpoints one user may register. */
export const MAX_WEBHOOKS_PER_USER = 5

export const Webhook = z.object({
  id: Id,
  url: z.string(),
  events: z.array(WebhookEventType),
  createdAt: Timestamp,
  secretRotatedAt: Timestamp,
  /** The last delivery attempt to this endpoint, if any. */
  lastAttempt: z
    .object({ at: Timestamp, statusCode: z.number().int().nullable(), ok: z.boolean() })
    .nullable(),
})
export type Webhook = z.infer<typeof Webhook>

export const WebhookList = z.object({ webhooks: z.array(Webhook) })

export const CreateWebhookBody = z.object({
  url: z.string().trim().min(1, 'is required').max(2048, 'must be at most 2048 characters'),
  events: z
    .array(WebhookEventType)
    .min(1, 'must name at least one event')
    .transform((events) => [...new Set(events)])
    .default(['job.completed', 'job.failed']),
})
export type CreateWebhookBody = z.input<typeof CreateWebhookBody>

/** The signing secret is in `secret` and is shown this once (on creation and on rotation). */
export const WebhookWithSecret = Webhook.extend({ secret: z.string() })
export type WebhookWithSecret = z.infer<typeof WebhookWithSecret>

export const WebhookDeliveryStatus = z.enum(['pending', 'delivered', 'failed'])

/** One try to deliver one event, newest first in the log. */
export const WebhookAttempt = z.object({
  deliveryId: Id,
  event: WebhookEventType,
  jobId: Id,
  /** 1 for the first try of this delivery, 2 for its first retry, … */
  attempt: z.number().int(),
  at: Timestamp,
  /** The endpoint's HTTP status; null when it could not be reached. */
  statusCode: z.number().int().nullable(),
  ok: z.boolean(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
  /** Where the delivery stands now; `nextAttemptAt` is set while it is pending. */
  deliveryStatus: WebhookDeliveryStatus,
  nextAttemptAt: Timestamp.nullable(),
})
export type WebhookAttempt = z.infer<typeof WebhookAttempt>

export const WebhookAttemptList = z.object({ attempts: z.array(WebhookAttempt) })

/**
 * The JSON body POSTed to a webhook, signed with its secret (INTEGRATIONS.md "Webhooks"): the
 * job as `GET /api/jobs/:id` shows it and its files.
 */
export const WebhookPayload = z.object({
  /** The delivery's id: the same on every retry of it, so receivers can drop repeats. */
  id: Id,
  event: WebhookEventType,
  createdAt: Timestamp,
  job: Job,
  files: z.array(JobFile),
})
export type WebhookPayload = z.infer<typeof WebhookPayload>
