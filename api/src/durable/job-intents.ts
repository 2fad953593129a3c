import type {
  AgentCallback,
  ErrorCode,
  FileEntry,
  JobAction,
  JobError,
  JobEvent,
  JobProgressState,
  JobStatus,
  ProgressFields,
  StoredFileEntry,
} from '@tseeder/shared'

/** A change to a job's fields, whoever it comes from: its agent, its leader, the dispatcher, its user. */
export interface JobChange {
  status?: JobStatus
  progress?: ProgressFields
  error?: JobError
  metadata?: { name: string; files: FileEntry[] }
  stored?: StoredFileEntry[]
}

/** What the shell looked up for a `metadata_ready` callback before asking the core. */
export interface MetadataChecks {
  /** Why the files do not fit the owner's plan, if they do not. */
  quotaProblem: string | null
  /** Why the content is on the blocklist, if it is. */
  blockedReason: string | null
}

/** A job to follow: what the follower takes over from it. */
export interface Leader {
  id: string
  status: JobStatus
  progress: ProgressFields
  /** Its file list, when the follower has none yet. */
  metadata?: { name: string; files: FileEntry[] }
}

/**
 * Another job downloading the same content now (on its own), as a job being resumed or retried
 * sees it: a leader to follow, and whether either download brings every file the other job wants.
 */
export interface InFlightDownload extends Leader {
  /** Its download brings every file the other job wants: that job may follow it. */
  coversMe: boolean
  /** The other job's download brings every file it wants: it may follow that job. */
  coveredByMe: boolean
}

/** A torrent file's index and size, as its job's file list in D1 holds them. */
export interface FileSize {
  index: number
  size: number
}

/** Everything that can happen to a job, as the core of its Durable Object receives it. */
export type LifecycleInput =
  | { type: 'created' }
  /** The dispatcher could not start the job on an agent (an agent error, not lack of room). */
  | { type: 'waiting'; reason: JobError }
  | { type: 'dispatched'; agentId: string; attempt: number }
  /** Off its agent and back in line, keeping its place (the agent is drained). */
  | { type: 'move_to_line'; error: JobError }
  | { type: 'fail_permanently'; error: JobError }
  | { type: 'complete_from_content'; stored: StoredFileEntry[] }
  | { type: 'agent_callback'; agentId: string; callback: AgentCallback; checks: MetadataChecks }
  | {
      type: 'user_action'
      action: JobAction
      selectedFiles?: number[] | null
      /** The job's file list when it awaits a choice of files (else empty). */
      files: FileSize[]
      /** Set when an operator acts on someone else's job: told to the owner with the change. */
      operatorReason?: string
      /** With `resume` and `retry`: another job downloading the same content now, if any. */
      inFlight?: InFlightDownload | null
    }
  | {
      type: 'agent_resumed'
      ok: boolean
      selectedFiles?: number[] | null
      files: FileSize[]
      inFlight?: InFlightDownload | null
    }
  | { type: 'mirror'; change: JobChange }
  | { type: 'become_leader' }
  | { type: 'set_leader'; leaderId: string }
  /** Another job took this job's download over (its own is further along): follow it. */
  | { type: 'follow'; leader: Leader }
  | { type: 'stale_check' }
  | { type: 'deleted' }
  /** A decision that made the job active did not hold: its owner's plan had no slot free. */
  | { type: 'active_slot_refused'; message: string }

/** Every kind of input, so tests can enumerate them. */
export const LIFECYCLE_INPUT_TYPES = [
  'created',
  'waiting',
  'dispatched',
  'move_to_line',
  'fail_permanently',
  'complete_from_content',
  'agent_callback',
  'user_action',
  'agent_resumed',
  'mirror',
  'become_leader',
  'set_leader',
  'follow',
  'stale_check',
  'deleted',
  'active_slot_refused',
] as const satisfies readonly LifecycleInput['type'][]

// Fails to compile when an input type is missing from the list above.
const _everyInputListed: [
  Exclude<LifecycleInput['type'], (typeof LIFECYCLE_INPUT_TYPES)[number]>,
] extends [never]
  ? true
  : never = true

/** The job row's fields a change writes (a snapshot of the state when it was decided). */
export type JobRowSnapshot = Pick<
  JobProgressState,
  | 'jobId'
  | 'status'
  | 'progressPct'
  | 'bytesDownloaded'
  | 'bytesTotal'
  | 'downloadSpeed'
  | 'uploadSpeed'
  | 'eta'
  | 'peers'
  | 'seeds'
  | 'workerId'
  | 'attempt'
  | 'lastAgentSeq'
  | 'leaderId'
  | 'waiting'
>

/** One D1 write, as data; `db/` turns it into statements. */
export type DbWrite =
  | {
      type: 'job_row'
      job: JobRowSnapshot
      /** The job's error to record; undefined keeps the one it has. */
      error: JobError | null | undefined
      at: number
    }
  | {
      type: 'job_metadata'
      jobId: string
      name: string
      files: FileEntry[]
      selectedFiles: number[] | null
    }
  | {
      type: 'stored_files'
      jobId: string
      userId: string
      infohash: string
      files: StoredFileEntry[]
      selectedFiles: number[] | null
      storedBytes: number
      storedBytesDelta: number
      at: number
    }
  | {
      type: 'file_choice'
      jobId: string
      selectedFiles: number[] | null
      chosen: number[]
      bytesTotal: number
    }
  | { type: 'unfollow'; jobId: string }
  /** The job's place in the dispatch line (new at `at`, or kept) and when it may be tried. */
  | { type: 'line_up'; jobId: string; notBefore: number; keepPlace: boolean; at: number }

/** The ids a queue message is built from. */
export interface QueuedJob {
  id: string
  user_id: string
  infohash: string
}

/** What the shell performs for a decision, in order. */
export type Effect =
  | { type: 'write'; writes: DbWrite[] }
  | { type: 'publish'; userId: string; event: JobEvent }
  | { type: 'stop_agent'; jobId: string; agentId: string; removeData: boolean }
  | { type: 'pause_agent'; jobId: string; agentId: string }
  /** Asks the agent to resume; its answer comes back as an `agent_resumed` input. */
  | {
      type: 'resume_agent'
      jobId: string
      agentId: string
      selectedFiles?: number[] | null
      files: FileSize[]
      inFlight?: InFlightDownload | null
    }
  /**
   * The job is in the dispatch line (its place written by a `line_up` write before): the line
   * is told, after `delaySeconds`, to fill.
   */
  | { type: 'enqueue'; job: QueuedJob; delaySeconds: number; keepPlace: boolean }
  /** The job stopped holding a transfer slot: the line may fill it. */
  | { type: 'room_freed' }
  | { type: 'notify_finished'; userId: string; jobId: string }
  | { type: 'mirror_to_followers'; jobId: string; change: JobChange }
  | { type: 'hand_over_followers'; jobId: string }
  /** The job started following `leaderId`: the leader mirrors its changes to it from now on. */
  | { type: 'following'; leaderId: string }
  /**
   * The job's own download goes on (in `status`, once resumed): `from` (and its followers) stop
   * theirs and follow it.
   */
  | { type: 'take_over'; from: string; status: JobStatus }
  | { type: 'watchdog'; at: number }
  | {
      type: 'log'
      level: 'info' | 'warn'
      event: string
      fields: Record<string, string | number | null>
    }
  | { type: 'forget' }

export type ActionResult =
  | { ok: true }
  | { ok: false; status: 404 | 409; message: string }
  | { ok: false; status: 422; code: 'quota_exceeded'; limit: 'active_jobs'; message: string }

export type CallbackResult =
  { ok: true } | { ok: false; status: 404 | 409; code: ErrorCode; message: string }

/** What became of a job the dispatcher could not start: tried again later, or failed for good. */
export type WaitOutcome =
  | { outcome: 'done' }
  | { outcome: 'retry'; delaySeconds: number }
  /** The attempt budget is used up: the job failed. */
  | { outcome: 'gave_up' }

/** The answer each input gets. */
export interface Replies {
  created: void
  waiting: WaitOutcome
  dispatched: boolean
  move_to_line: void
  fail_permanently: void
  complete_from_content: void
  agent_callback: CallbackResult
  user_action: ActionResult
  agent_resumed: void
  mirror: void
  become_leader: void
  set_leader: void
  /** Whether the job follows the leader now (false: it stopped downloading meanwhile). */
  follow: boolean
  stale_check: void
  deleted: void
  active_slot_refused: ActionResult
}

/**
 * A decision: the state to keep (null: forget the job), what to perform, what to answer. One
 * that makes the job active (`activates`) holds only if the shell can claim an active slot for
 * it, atomically in D1; otherwise the core decides `active_slot_refused` instead.
 */
export interface Decision<T extends LifecycleInput['type'] = LifecycleInput['type']> {
  state: JobProgressState | null
  effects: Effect[]
  reply: Replies[T]
  activates?: ActiveSlotClaim
}

/** The job that needs one of its owner's active-job slots. */
export interface ActiveSlotClaim {
  jobId: string
  userId: string
  /**
   * What the claim writes on the row, until the decision's own writes land: the status and the
   * leader the decision leaves the job with (a paused job resuming its copy: the status it
   * resumes in). Never `queued` for a job the decision does not put in line: a fill meanwhile
   * would start it again from scratch.
   */
  status: JobStatus
  followsJobId: string | null
}
