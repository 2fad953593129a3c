import {
  AGENT_STALE_MS,
  canTransition,
  isActiveStatus,
  isRunningStatus,
  mergeFileBytes,
  ProgressFields,
  type JobEvent,
  type JobProgressState,
} from '@tseeder/shared'
import { SECOND } from '../lib/time.ts'
import type { ActiveSlotClaim, DbWrite, Effect, FileSize, JobChange } from './job-intents.ts'

/** Progress is written to D1 at most this often; status changes always are. */
export const PERSIST_INTERVAL = 10 * SECOND

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
export type EventDraft = DistributiveOmit<JobEvent, 'jobId' | 'seq' | 'at'>

/** A decision being made: the state as it changes and the effects so far. */
export interface Draft {
  s: JobProgressState
  now: number
  effects: Effect[]
  /** Set when the decision makes the job active: it holds only with a free active-job slot. */
  activates?: Pick<ActiveSlotClaim, 'jobId' | 'userId'>
}

/**
 * The one path every change takes: checked against the shared state machine, then recorded as
 * D1 writes (status changes always, progress at most every 10 s), numbered events, a push
 * notification when the job ends, and a mirror to its followers. False when the lifecycle does
 * not allow the move (unless `force`d, as a follower's leader does).
 */
export function apply(d: Draft, change: JobChange, force = false): boolean {
  const { s, now } = d
  const statusChanged = change.status !== undefined && change.status !== s.status
  if (statusChanged && !force && !canTransition(s.status, change.status!)) return false
  const heldSlot = holdsTransferSlot(s)
  const waitedFor = s.waiting?.reason
  const writes: DbWrite[] = []
  const events: EventDraft[] = []
  const selected = s.selectedFiles ? new Set(s.selectedFiles) : null

  if (change.metadata) {
    s.bytesTotal = sizeOf(change.metadata.files, selected)
    writes.push({
      type: 'job_metadata',
      jobId: s.jobId,
      ...change.metadata,
      selectedFiles: s.selectedFiles,
    })
    events.push({
      type: 'metadata',
      name: change.metadata.name,
      bytesTotal: s.bytesTotal,
      fileCount: change.metadata.files.length,
    })
  }
  if (change.stored) {
    // Files now in storage: linkable for this job, recorded once as content, counted as usage.
    const storedBytes = sizeOf(change.stored, selected)
    writes.push({
      type: 'stored_files',
      jobId: s.jobId,
      userId: s.userId,
      infohash: s.infohash,
      files: change.stored,
      selectedFiles: s.selectedFiles,
      storedBytes,
      storedBytesDelta: storedBytes - s.storedBytes,
      at: now,
    })
    s.storedBytes = storedBytes
    s.bytesTotal = storedBytes
  }
  if (change.progress)
    // The state keeps every file's count; a report or a leader's change brings only the changed.
    Object.assign(s, {
      ...change.progress,
      bytesTotal: s.bytesTotal || change.progress.bytesTotal,
      fileBytes: mergeFileBytes(s.fileBytes, change.progress.fileBytes),
    })
  if (statusChanged) {
    s.status = change.status!
    if (s.status === 'completed') {
      Object.assign(s, {
        progressPct: 100,
        bytesDownloaded: s.bytesTotal,
        bytesStored: s.bytesTotal,
        downloadSpeed: 0,
        uploadSpeed: 0,
        eta: 0,
      })
    } else if (!isActiveStatus(s.status)) {
      Object.assign(s, { downloadSpeed: 0, uploadSpeed: 0, eta: null, peers: 0, seeds: 0 })
    }
    if (!isRunningStatus(s.status)) s.waiting = null
    events.push({
      type: 'status',
      status: s.status,
      ...(change.error ? { error: change.error } : {}),
    })
  }
  if (change.error && !statusChanged) events.push({ type: 'error', ...change.error })
  if (change.progress) {
    const { fileBytes: _all, ...progress } = ProgressFields.parse(s)
    const changed = change.progress.fileBytes
    events.push({
      type: 'progress',
      ...progress,
      ...(changed && Object.keys(changed).length ? { fileBytes: changed } : {}),
    })
  }

  // Parking and unparking are written at once: the dispatch line counts transfers from D1.
  const waitingChanged = s.waiting?.reason !== waitedFor
  if (
    statusChanged ||
    waitingChanged ||
    change.error ||
    change.metadata ||
    change.stored ||
    now - s.persistedAt >= PERSIST_INTERVAL
  ) {
    // A status change clears the old error unless it brings one; an error alone is recorded.
    const error = statusChanged ? (change.error ?? null) : change.error
    writes.push({ type: 'job_row', job: { ...s }, error, at: now })
    s.persistedAt = now
  }
  write(d, writes)
  for (const event of events) publish(d, event)
  if (statusChanged && (s.status === 'completed' || s.status === 'failed'))
    d.effects.push({ type: 'notify_finished', userId: s.userId, jobId: s.jobId })
  mirrorToFollowers(d, change)
  if (heldSlot && !holdsTransferSlot(s)) d.effects.push({ type: 'room_freed' })
  return true
}

export function sizeOf(files: readonly FileSize[], selected: Set<number> | null): number {
  return files.filter((f) => !selected || selected.has(f.index)).reduce((sum, f) => sum + f.size, 0)
}

export function write(d: Draft, writes: DbWrite[]): void {
  if (writes.length) d.effects.push({ type: 'write', writes })
}

export function publish(d: Draft, partial: EventDraft): void {
  const s = d.s
  s.seq += 1
  const event = { ...partial, jobId: s.jobId, seq: s.seq, at: new Date(d.now).toISOString() }
  d.effects.push({ type: 'publish', userId: s.userId, event: event as JobEvent })
}

/** What a leader's followers see of a change: not its pauses, cancels or plain re-queues. */
function mirrorToFollowers(d: Draft, change: JobChange): void {
  const s = d.s
  if (s.leaderId) return
  const relevant: JobChange = { ...change }
  if (
    change.status === 'cancelled' ||
    change.status === 'paused' ||
    (change.status === 'queued' && !change.error)
  )
    delete relevant.status
  if (!relevant.status && !relevant.progress && !relevant.metadata && !relevant.stored) return
  d.effects.push({ type: 'mirror_to_followers', jobId: s.jobId, change: relevant })
}

/** This job stops downloading (paused, cancelled, deleted, over quota): the first follower takes over. */
export function handOverFollowers(d: Draft): void {
  if (!d.s.leaderId) d.effects.push({ type: 'hand_over_followers', jobId: d.s.jobId })
}

/** A follower's agent is its leader's: only a job downloading for itself stops its agent. */
export function stopAgent(d: Draft): void {
  const s = d.s
  if (!s.workerId || s.leaderId) return
  d.effects.push({ type: 'stop_agent', jobId: s.jobId, agentId: s.workerId, removeData: true })
  s.workerId = null
}

export function armWatchdog(d: Draft): void {
  d.effects.push({ type: 'watchdog', at: d.now + AGENT_STALE_MS })
}

/** The job is in the dispatch line: at the end, or at the place it had (`keepPlace`). */
export function enqueue(
  d: Draft,
  delaySeconds: number,
  { keepPlace }: { keepPlace: boolean },
): void {
  const s = d.s
  const notBefore = d.now + delaySeconds * SECOND
  write(d, [{ type: 'line_up', jobId: s.jobId, notBefore, keepPlace, at: d.now }])
  d.effects.push({
    type: 'enqueue',
    job: { id: s.jobId, user_id: s.userId, infohash: s.infohash },
    delaySeconds,
    keepPlace,
  })
}

/**
 * Whether the job holds one of its agent's transfer slots: running on its own (a follower rides
 * on its leader's) and not parked. What the dispatch line counts as a transfer.
 */
export function holdsTransferSlot(s: JobProgressState): boolean {
  return isRunningStatus(s.status) && !s.leaderId && !s.waiting
}

export function log(
  d: Draft,
  level: 'info' | 'warn',
  event: string,
  fields: Record<string, string | number | null>,
): void {
  d.effects.push({ type: 'log', level, event, fields })
}
