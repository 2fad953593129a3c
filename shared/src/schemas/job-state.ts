import { z } from 'zod'
import { Id } from './common.ts'
import { ProgressFields } from './events.ts'
import { JobStatus } from './status.ts'

/**
 * A job's live state as its Durable Object keeps it in storage between changes. Parsed on load:
 * a stored state that does not fit (an older shape) is rebuilt from the job's D1 row.
 */
export const JobProgressState = ProgressFields.extend({
  jobId: Id,
  userId: Id,
  infohash: z.string(),
  status: JobStatus,
  selectedFiles: z.array(z.number().int().nonnegative()).nullable(),
  /** Stop at metadata and wait, paused, for the owner to choose files. */
  awaitingFiles: z.boolean(),
  storedBytes: z.number().int().nonnegative(),
  /** When the agent last reported (Unix ms). */
  lastHeartbeat: z.number(),
  workerId: z.string().nullable(),
  /** Dispatches so far; only ever grows, so each `/start` is a new attempt for the agent. */
  attempt: z.number().int().nonnegative(),
  /**
   * Tries used from the job's one attempt budget: every start on an agent, and every agent error
   * on the way there. Lack of room is not a try. A retry asked for by the user starts a fresh budget.
   */
  tries: z.number().int().nonnegative(),
  lastAgentSeq: z.number().int().nonnegative(),
  /** Sequence number of the last event published (SSE `id:`). */
  seq: z.number().int().nonnegative(),
  /** When the job's D1 row was last written (Unix ms). */
  persistedAt: z.number(),
  /** The job this one follows (another user's identical download), if any. */
  leaderId: z.string().nullable(),
})
export type JobProgressState = z.infer<typeof JobProgressState>

/**
 * A message on the dispatch queue: `jobId` joined the dispatch line (or may be tried again), so
 * the line should be filled. Parsed by the consumer; a message that does not fit is acknowledged
 * and logged.
 */
export const DispatchMessage = z.object({
  type: z.literal('dispatch'),
  jobId: Id,
  /** Idempotency key: one user's job for one info hash. */
  key: z.string().min(1).max(200),
})
export type DispatchMessage = z.infer<typeof DispatchMessage>
