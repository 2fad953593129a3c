import { z } from 'zod'

export const PushKey = z.object({ publicKey: z.string() })

/** `PushSubscription.toJSON()` as browsers produce it. */
export const PushSubscriptionBody = z.object({
  endpoint: z
    .url()
    .max(2048)
    .refine((u) => u.startsWith('https://'), { message: 'must be an https URL' }),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({ p256dh: z.string().min(1).max(200), auth: z.string().min(1).max(100) }),
})
export type PushSubscriptionBody = z.infer<typeof PushSubscriptionBody>

/** The payload of a job notification (encrypted per RFC 8291), as the service worker reads it. */
export const JobPushMessage = z.object({
  type: z.literal('job'),
  jobId: z.string(),
  name: z.string(),
  status: z.enum(['completed', 'failed']),
  title: z.string(),
  body: z.string(),
  /** Where a click on the notification leads, relative to the app's origin. */
  url: z.string(),
})
export type JobPushMessage = z.infer<typeof JobPushMessage>
