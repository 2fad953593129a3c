import { z } from 'zod'
import { Id } from './common.ts'
import { JobStatus } from '../lifecycle.ts'

const EventBase = z.object({
  jobId: Id,
  seq: z.number().int().nonnegative(),
  /** When the event happened (absent on events stored before this field existed). */
  at: z.iso.datetime().optional(),
})

export const ProgressFields = z.object({
  progressPct: z.number().min(0).max(100),
  bytesDownloaded: z.number().int().nonnegative(),
  bytesTotal: z.number().int().nonnegative(),
  downloadSpeed: z.number().nonnegative(),
  uploadSpeed: z.number().nonnegative(),
  /** Seconds until done, or null when unknown. */
  eta: z.number().nonnegative().nullable(),
  peers: z.number().int().nonnegative(),
  seeds: z.number().int().nonnegative(),
  /**
   * Bytes of the selected files already in object storage, from the agent's reports (absent on
   * job lists, which are read from D1). While `uploading`, what the person waits for.
   */
  bytesStored: z.number().int().nonnegative().optional(),
})
export type ProgressFields = z.infer<typeof ProgressFields>

/**
 * What a browser receives over SSE (`event:` is `type`, `id:` is `seq`). The same union is
 * stored in `job_events` and replayed for `Last-Event-ID`.
 */
export const JobEvent = z.discriminatedUnion('type', [
  EventBase.extend({ type: z.literal('progress') }).extend(ProgressFields.shape),
  EventBase.extend({
    type: z.literal('status'),
    status: JobStatus,
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
  EventBase.extend({
    type: z.literal('metadata'),
    name: z.string(),
    bytesTotal: z.number().int().nonnegative(),
    fileCount: z.number().int().nonnegative(),
  }),
  EventBase.extend({ type: z.literal('error'), code: z.string(), message: z.string() }),
])
export type JobEvent = z.infer<typeof JobEvent>
