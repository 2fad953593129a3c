import { z } from 'zod'
import { Id } from './common.ts'
import { JobStatus } from './status.ts'

/**
 * Why a job that moves no bytes waits. In the API's line: `in_line` (its place in the queue),
 * `own_limit` (its owner's transfers fill their plan), `retry_later` (an agent failed; it is tried
 * again at `until`). Parked on an agent, costing no transfer slot: `metadata` (no peer has sent the
 * torrent's metadata yet), `peers` (no peer has sent data for a while), `transfer_slot` (peers are
 * there; the agent's transfer slots are all busy).
 */
export const WaitingReason = z.enum([
  'in_line',
  'own_limit',
  'retry_later',
  'metadata',
  'peers',
  'transfer_slot',
])
export type WaitingReason = z.infer<typeof WaitingReason>

export const JobWaiting = z.object({
  reason: WaitingReason,
  /** Since when the job waits for this reason. */
  since: z.iso.datetime(),
  /** When the job gives up waiting and fails (or, for `retry_later`, is tried again); null: never. */
  until: z.iso.datetime().nullable(),
})
export type JobWaiting = z.infer<typeof JobWaiting>

/** The waits an agent reports: parked on it (the line's own waits are the API's to say). */
export const PARKED_REASONS = ['metadata', 'peers', 'transfer_slot'] as const

/** A wait as an agent reports it: a parked one only. */
export const ParkedWaiting = JobWaiting.extend({ reason: z.enum(PARKED_REASONS) })
export type ParkedWaiting = z.infer<typeof ParkedWaiting>

/**
 * Downloaded bytes by file index (`{ "0": 1048576, "3": 0 }`): an object rather than pairs, so it
 * keeps its type through Durable Object RPC.
 */
export const FileBytes = z
  .record(z.string().regex(/^\d{1,6}$/, 'must be a file index'), z.number().int().nonnegative())
  .refine((bytes) => Object.keys(bytes).length <= 100_000, 'lists at most 100000 files')
export type FileBytes = z.infer<typeof FileBytes>

/**
 * `known` with the newer counts of `changed` applied, file by file.
 *
 * @example
 * mergeFileBytes({ 0: 10, 1: 5 }, { 1: 8 }) // { 0: 10, 1: 8 }
 */
export function mergeFileBytes(
  known: Readonly<FileBytes> | undefined,
  changed: Readonly<FileBytes> | undefined,
): FileBytes {
  return { ...known, ...changed }
}

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
  /**
   * Why the job moves no bytes now, as its agent reports it (null: it is transferring, or not on
   * an agent). Absent on events stored before this field existed.
   */
  waiting: JobWaiting.nullable().optional(),
  /**
   * Downloaded bytes per file, by file index. On an agent's report and on a
   * `progress` event: only the files whose count changed since the one before (absolute counts,
   * so applying one twice is harmless); on a job read, every file the job's agent reported.
   * Absent when no file's count changed.
   */
  fileBytes: FileBytes.optional(),
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

/** Parses one server-sent event into a `JobEvent`, checking every field; `null` for anything else. */
export function parseJobEvent(message: { data: string }): JobEvent | null {
  try {
    const parsed = JobEvent.safeParse(JSON.parse(message.data))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}
