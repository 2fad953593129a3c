import { z } from 'zod'

export const PlanId = z.enum(['free', 'pro', 'business', 'enterprise'])
export type PlanId = z.infer<typeof PlanId>

/** A plan's limits; `null` means unlimited. Byte sizes are decimal (1 GB = 10^9 bytes). */
export const Plan = z.object({
  id: PlanId,
  name: z.string(),
  /** Transfers (jobs moving bytes on an agent) at once. */
  maxActiveJobs: z.number().int().nullable(),
  /** Jobs waiting at once: queued in line, or parked on an agent looking for metadata or peers. */
  maxQueuedJobs: z.number().int().nullable(),
  /** How long a job may wait in line for an agent before it fails (seconds). */
  maxQueueWaitSeconds: z.number().int().nullable(),
  /** Dispatch order: a plan of higher priority goes first; users of one priority take turns. */
  priority: z.number().int(),
  storageBytes: z.number().int().nullable(),
  maxFileBytes: z.number().int().nullable(),
  bandwidthBytesPerMonth: z.number().int().nullable(),
  retentionDays: z.number().int().nullable(),
  maxSessions: z.number().int().nullable(),
})
export type Plan = z.infer<typeof Plan>

export const Usage = z.object({
  storageBytes: z.number().int(),
  bandwidthBytes: z.number().int(),
  /** The calendar month (UTC, `YYYY-MM`) the bandwidth figure counts. */
  bandwidthPeriod: z.string().regex(/^\d{4}-\d{2}$/),
  /** Jobs in an active status (queued, parked or transferring). */
  activeJobs: z.number().int(),
  /** Of those, the jobs moving bytes on an agent now (what `maxActiveJobs` counts). */
  transfers: z.number().int(),
})
export type Usage = z.infer<typeof Usage>

/** Which limit a `quota_exceeded` error is about. */
export const QuotaLimit = z.enum(['active_jobs', 'storage', 'max_file_size', 'bandwidth'])
export type QuotaLimit = z.infer<typeof QuotaLimit>
