import { z } from 'zod'
import { Timestamp } from './common.ts'
import { AgentJobView, AgentStartFields, StorageGrant, oneTorrentSource } from './agent.ts'
import { FileEntry, StoredFileEntry } from './file.ts'
import { JobError } from './job.ts'

/** The statuses a job has on an agent (a subset of the lifecycle's: no queue, no cancel). */
export const AgentJobStatus = AgentJobView.shape.status
export type AgentJobStatus = z.infer<typeof AgentJobStatus>

/** A file of the job whose bytes the agent has stored (and checked) under `key`. */
export const AgentUploadedFile = StoredFileEntry.omit({ path: true })
export type AgentUploadedFile = z.infer<typeof AgentUploadedFile>

/**
 * Everything an agent remembers about a job to pick it up again after a restart: written to
 * the agent's disk as JSON on every change, and parsed again when the agent starts.
 */
export const AgentJobRecord = z.object({
  /**
   * The `/start` body as the API sent it for this attempt. Its storage grant (credentials) is
   * there only while the job may still upload: it is dropped once the job is completed or failed
   * (a retry is a new `/start` with a new grant), so a finished record holds no secret.
   */
  start: AgentStartFields.extend({ storage: StorageGrant.optional() }).refine(oneTorrentSource, {
    message: 'exactly one of magnet or torrentBase64 is required',
  }),
  status: AgentJobStatus,
  /** Last callback `seq` handed to the outbox for this attempt. */
  seq: z.number().int().nonnegative(),
  /** Sanitised paths and sizes, known once metadata arrived. */
  files: z.array(FileEntry).nullable(),
  name: z.string().nullable(),
  /** Indexes of the files the job downloads, sorted, known once metadata arrived. */
  selected: z.array(z.number().int().nonnegative()).nullable(),
  /** Stored files by index (as a string: the record is JSON). */
  uploaded: z.record(z.string(), AgentUploadedFile),
  error: JobError.nullable(),
  updatedAt: Timestamp,
})
export type AgentJobRecord = z.infer<typeof AgentJobRecord>
