import { z } from 'zod'
import { Cursor, Id, Infohash, Limit, Timestamp } from './common.ts'
import { JobStatus } from './status.ts'
import { JobEvent, JobWaiting, ProgressFields } from './events.ts'

export const JobError = z.object({ code: z.string(), message: z.string() })
export type JobError = z.infer<typeof JobError>

export const JobFile = z.object({
  id: Id,
  /** The file's position in the torrent's file list. */
  index: z.number().int().nonnegative(),
  /** Sanitised relative path, `/`-separated. */
  path: z.string(),
  size: z.number().int().nonnegative(),
  mimeType: z.string(),
  selected: z.boolean(),
  /** True once the file's bytes are in storage and can be linked. */
  available: z.boolean(),
  /**
   * Bytes of the file downloaded so far, as its agent last reported (its size once available;
   * absent before any report). Live: the job's `progress` events carry the changes in `fileBytes`.
   */
  bytesDownloaded: z.number().int().nonnegative().optional(),
})
export type JobFile = z.infer<typeof JobFile>

export const Job = z.object({
  id: Id,
  infohash: Infohash,
  name: z.string(),
  status: JobStatus,
  ...ProgressFields.shape,
  selectedFiles: z.array(z.number().int().nonnegative()).nullable(),
  /**
   * The user asked to choose files first: the job waits `paused` with its file list known until
   * `resumeJob` is called with `selectedFiles`.
   */
  awaitingFiles: z.boolean(),
  /**
   * A `queued` job's place in the dispatch line, 1 being next (fair order: round-robin across
   * users within a plan's priority); null when the job is not waiting in line.
   */
  queuePosition: z.number().int().positive().nullable(),
  /** Why the job moves no bytes now, and until when; null while it transfers or has ended. */
  waiting: JobWaiting.nullable(),
  error: JobError.optional(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  completedAt: Timestamp.optional(),
  /**
   * How many of its files can be downloaded now (selected and in storage), and the id of the only
   * one when there is exactly one: what a job list needs to offer "Download" without reading the
   * file list. Absent from servers older than these fields.
   */
  availableFiles: z.number().int().nonnegative().optional(),
  singleFileId: Id.nullable().optional(),
})
export type Job = z.infer<typeof Job>

export const JobWithFiles = Job.extend({ files: z.array(JobFile) })
export type JobWithFiles = z.infer<typeof JobWithFiles>

export const SelectedFiles = z
  .array(z.number().int().nonnegative().max(100_000))
  .min(1, 'must select at least one file')
  .max(10_000)
  .transform((indexes) => [...new Set(indexes)].sort((a, b) => a - b))

/** JSON form of `POST /api/jobs`; the multipart form carries a `torrent` file instead of `magnet`. */
export const CreateJobBody = z.object({
  magnet: z.string().trim().min(1, 'is required').max(8192, 'must be at most 8192 characters'),
  selectedFiles: SelectedFiles.optional(),
  /** Stop once the file list is known so the user can choose files before the download starts. */
  chooseFiles: z.boolean().optional(),
})
export type CreateJobBody = z.infer<typeof CreateJobBody>

export const ListJobsQuery = z.object({
  status: JobStatus.optional(),
  cursor: Cursor.optional(),
  limit: Limit,
})
export type ListJobsQuery = z.infer<typeof ListJobsQuery>

export const JobList = z.object({ jobs: z.array(Job), nextCursor: z.string().nullable() })
export type JobList = z.infer<typeof JobList>

export const FileList = z.object({ files: z.array(JobFile) })

export const FileLink = z.object({ url: z.string(), expiresAt: Timestamp })
export type FileLink = z.infer<typeof FileLink>

/**
 * Multipart form of `POST /api/jobs`: a `torrent` file part, and optionally `selectedFiles` as
 * a JSON array (`[0,2]`) or comma-separated indexes (`0,2`).
 */
export const CreateJobForm = z.object({
  torrent: z.instanceof(Blob, { message: 'must be a .torrent file' }),
  selectedFiles: z
    .preprocess((value) => {
      if (typeof value !== 'string' || value.trim() === '') return undefined
      const text = value.trim()
      if (text.startsWith('[')) {
        try {
          return JSON.parse(text)
        } catch {
          return value
        }
      }
      return text.split(',').map((part) => Number(part.trim()))
    }, SelectedFiles.optional())
    .optional(),
  chooseFiles: z
    .enum(['true', 'false', '1', '0', 'on'], { message: 'must be true or false' })
    .transform((value) => value === 'true' || value === '1' || value === 'on')
    .optional(),
})

/** Optional body of `POST /api/jobs/:id/resume`: the files chosen for a job awaiting files. */
export const ResumeJobBody = z.object({ selectedFiles: SelectedFiles.optional() })
export type ResumeJobBody = z.infer<typeof ResumeJobBody>

/** `GET /api/jobs/:id/history`: the job's status, metadata and error events, oldest first. */
export const JobHistory = z.object({ events: z.array(JobEvent) })
export type JobHistory = z.infer<typeof JobHistory>

/** `GET /api/config`: public settings the web app needs before anyone signs in. */
export const PublicConfig = z.object({ turnstileSiteKey: z.string().nullable() })
export type PublicConfig = z.infer<typeof PublicConfig>
export type CreateJobForm = z.infer<typeof CreateJobForm>
