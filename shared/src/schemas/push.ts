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
