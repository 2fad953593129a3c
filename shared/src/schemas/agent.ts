import { z } from 'zod'
import { Id, Infohash, Timestamp } from './common.ts'
import { ParkedWaiting, ProgressFields } from './events.ts'
import { FileEntry, StoredFileEntry } from './file.ts'

/** Headers that carry the HMAC-SHA256 signature on every agent ⇄ API request. */
export const SIGNATURE_HEADERS = {
  agentId: 'x-tseeder-agent',
  timestamp: 'x-tseeder-timestamp',
  nonce: 'x-tseeder-nonce',
  signature: 'x-tseeder-signature',
} as const

/** How often an agent heartbeats unless configured otherwise (`AGENT_HEARTBEAT_INTERVAL_MS`). */
export const AGENT_HEARTBEAT_MS = 10_000

/** An agent that has not sent a heartbeat for this long is taken as gone (API, admin UI). */
export const AGENT_STALE_MS = 30_000

/**
 * An agent's load. `capacity` is its transfer slots and `transfers` the jobs holding one (moving
 * bytes, or trying to for their first minute); `parkedJobs` are torrents looking for metadata or
 * peers, which cost no slot, up to `idleCapacity`. `activeJobs` counts both. Agents older than
 * these fields report only `activeJobs`: all of it counts as transfers.
 */
const AgentLoad = z.object({
  capacity: z.number().int().nonnegative(),
  activeJobs: z.number().int().nonnegative(),
  transfers: z.number().int().nonnegative().optional(),
  parkedJobs: z.number().int().nonnegative().default(0),
  idleCapacity: z.number().int().nonnegative().default(0),
})

export const AgentHeartbeat = AgentLoad.extend({
  agentId: Id,
  url: z.url(),
  freeDiskBytes: z.number().int().nonnegative(),
  version: z.string().max(64),
})
export type AgentHeartbeat = z.infer<typeof AgentHeartbeat>

/**
 * `seq` increases by one with every callback an agent sends for a job within one dispatch
 * (`attempt`, echoed from `/start`); the API ignores a callback whose seq it has already seen.
 */
const CallbackBase = z.object({
  jobId: Id,
  seq: z.number().int().positive(),
  attempt: z.number().int().positive().optional(),
})

export const AgentCallback = z.discriminatedUnion('type', [
  CallbackBase.extend({
    type: z.literal('metadata_ready'),
    infohash: Infohash,
    name: z.string().max(1024),
    bytesTotal: z.number().int().nonnegative(),
    files: z.array(FileEntry).max(100_000),
  }),
  CallbackBase.extend({
    type: z.literal('progress_update'),
    phase: z.enum(['metadata_fetch', 'downloading', 'uploading']),
    bytesUploaded: z.number().int().nonnegative().optional(),
  })
    .extend(ProgressFields.shape)
    // An agent reports only waits on itself: a job it holds is never in the API's line.
    .extend({ waiting: ParkedWaiting.nullable().optional() }),
  CallbackBase.extend({
    type: z.literal('completed'),
    files: z.array(StoredFileEntry).max(100_000),
  }),
  CallbackBase.extend({
    type: z.literal('failed'),
    code: z.string().max(64),
    message: z.string().max(1000),
    retryable: z.boolean(),
  }),
])
export type AgentCallback = z.infer<typeof AgentCallback>

export const StorageGrant = z.object({
  endpoint: z.url(),
  region: z.string(),
  bucket: z.string(),
  /** Every key the agent writes starts with this prefix (`content/<infohash>/`). */
  prefix: z.string(),
  credentials: z.object({
    accessKeyId: z.string(),
    secretAccessKey: z.string(),
    sessionToken: z.string().optional(),
    expiresAt: Timestamp,
  }),
})
export type StorageGrant = z.infer<typeof StorageGrant>

export const JobLimits = z.object({
  /** Largest single file allowed, or null for no limit. */
  maxFileBytes: z.number().int().nonnegative().nullable(),
  /** Storage the user has left, or null for no limit. */
  remainingStorageBytes: z.number().int().nonnegative().nullable(),
})
export type JobLimits = z.infer<typeof JobLimits>

/** The fields of {@link AgentStartBody}, for schemas that store a variant of it. */
export const AgentStartFields = z.object({
  jobId: Id,
  /** Which dispatch of the job this is (1 for the first); callbacks echo it. */
  attempt: z.number().int().positive(),
  infohash: Infohash,
  magnet: z.string().max(8192).optional(),
  torrentBase64: z.string().max(7_000_000).optional(),
  selectedFiles: z.array(z.number().int().nonnegative()).optional(),
  limits: JobLimits,
  storage: StorageGrant,
})

/** Exactly one source: a magnet or a .torrent. */
export const oneTorrentSource = (b: { magnet?: string; torrentBase64?: string }) =>
  Boolean(b.magnet) !== Boolean(b.torrentBase64)

export const AgentStartBody = AgentStartFields.refine(oneTorrentSource, {
  message: 'exactly one of magnet or torrentBase64 is required',
})
export type AgentStartBody = z.infer<typeof AgentStartBody>

/** `/stop` ends a job on the agent; `removeData: false` keeps downloaded bytes (pause). */
export const AgentStopBody = z.object({ jobId: Id, removeData: z.boolean().default(true) })
export type AgentStopBody = z.infer<typeof AgentStopBody>

/** `/pause` and `/resume`: the agent stops or restarts transfer but keeps the job. */
export const AgentJobAction = z.object({ jobId: Id })

/** `POST /internal/jobs/credentials`: an agent renews a job's storage grant before it expires. */
export const CredentialsRefreshBody = z.object({ jobId: Id })

/** A file of a job on the agent: its entry, and whether (and where) it is stored yet. */
export const AgentFileEntry = FileEntry.extend({
  uploaded: z.boolean(),
  key: z.string().nullable(),
})
export type AgentFileEntry = z.infer<typeof AgentFileEntry>

/** `GET /files/:jobId` path parameters; an unknown id is answered 404, not 400. */
export const AgentFilesParams = z.object({ jobId: z.string().min(1) })

/** `GET /files/:jobId`: the job's selected files. */
export const AgentJobFiles = z.object({ jobId: Id, files: z.array(AgentFileEntry) })
export type AgentJobFiles = z.infer<typeof AgentJobFiles>

/** What `/start`, `/stop`, `/pause` and `/resume` answer: the job as the agent sees it now. */
export const AgentJobView = z.object({
  jobId: Id,
  infohash: Infohash,
  status: z.enum(['metadata_fetch', 'downloading', 'uploading', 'paused', 'completed', 'failed']),
  progressPct: z.number().min(0).max(100),
})
export type AgentJobView = z.infer<typeof AgentJobView>

export const AgentStatus = AgentLoad.extend({
  agentId: Id,
  freeDiskBytes: z.number().int().nonnegative(),
  version: z.string(),
  jobs: z.array(AgentJobView),
})
export type AgentStatus = z.infer<typeof AgentStatus>

/** The answer of a route that only acknowledges (`/health`, heartbeats, callbacks). */
export const Acknowledged = z.object({ ok: z.literal(true) })
