import {
  ACTION_TARGETS,
  AGENT_STALE_MS,
  allowedActions,
  isActiveStatus,
  isDispatchStatus,
  isRunningStatus,
  type AgentCallback,
  type FileEntry,
  type JobAction,
  type JobError,
  type JobProgressState,
} from '@tseeder/shared'
import { MAX_TORRENT_FILES, tooManyFilesMessage } from '@tseeder/shared/torrent'
import { backoffSeconds, MAX_ATTEMPTS } from '../queue/dispatch-queue.ts'
import {
  apply,
  armWatchdog,
  enqueue,
  handOverFollowers,
  holdsTransferSlot,
  log,
  publish,
  sizeOf,
  stopAgent,
  write,
  type Draft,
} from './job-draft.ts'
import type {
  Decision,
  Effect,
  FileSize,
  InFlightDownload,
  Leader,
  LifecycleInput,
  MetadataChecks,
  Replies,
} from './job-intents.ts'

export { PERSIST_INTERVAL } from './job-draft.ts'

/**
 * The job's lifecycle, decided without I/O: given its state (null when the job is unknown), one
 * input and the time, the next state, the effects to perform in order, and the caller's answer.
 * Every change is checked against the shared state machine; agent callbacks are checked for
 * their agent, attempt and sequence number.
 */
export function decide<I extends LifecycleInput>(
  state: JobProgressState | null,
  input: I,
  now: number,
): Decision<I['type']> {
  const d: Draft | null = state ? { s: structuredClone(state), now, effects: [] } : null
  const reply = (d ? onInput(d, input) : unknownJob(input)) as Replies[I['type']]
  const forget = input.type === 'deleted'
  // An unknown job is forgotten all the same: its storage may hold events.
  const effects: Effect[] = d?.effects ?? (forget ? [{ type: 'forget' }] : [])
  const decision = {
    state: forget ? null : (d?.s ?? null),
    effects: lineFilledLast(oneWriteBatch(effects)),
    reply,
  }
  if (!d?.activates) return decision
  // The row as the decision leaves it, or (a copy resuming on its agent) as the agent's answer will.
  const row = isActiveStatus(d.s.status)
    ? { status: d.s.status, followsJobId: d.s.leaderId }
    : { status: resumedStatus(d.s), followsJobId: null }
  return { ...decision, activates: { ...d.activates, ...row } }
}

/**
 * `effects` with every D1 write of the decision in one batch, where its first write was: the
 * change lands whole or not at all (a job is never left in line without its retry delay, or
 * following without its status), and in one round trip. Nothing a decision does between two of
 * its writes needs the later one not made yet.
 */
function oneWriteBatch(effects: Effect[]): Effect[] {
  const writes = effects.flatMap((e) => (e.type === 'write' ? e.writes : []))
  const first = effects.findIndex((e) => e.type === 'write')
  if (first < 0) return effects
  return effects.flatMap((e, i): Effect[] =>
    e.type !== 'write' ? [e] : i === first ? [{ type: 'write', writes }] : [],
  )
}

/**
 * `effects` with the line filled last, once: the fill a decision asks for (a slot it freed) sees
 * every write of the decision in D1, whatever order the decision made them in.
 */
function lineFilledLast(effects: Effect[]): Effect[] {
  const rest = effects.filter((e) => e.type !== 'room_freed')
  return rest.length === effects.length ? effects : [...rest, { type: 'room_freed' }]
}

function unknownJob(input: LifecycleInput): Replies[LifecycleInput['type']] {
  switch (input.type) {
    case 'waiting':
      return { outcome: 'done' }
    case 'dispatched':
    case 'follow':
      return false
    case 'agent_callback':
      return { ok: false, status: 404, code: 'not_found', message: 'No such job.' }
    case 'user_action':
    case 'active_slot_refused':
      return { ok: false, status: 404, message: 'No such job.' }
    default:
      return undefined
  }
}

function onInput(d: Draft, input: LifecycleInput): Replies[LifecycleInput['type']] {
  const s = d.s
  switch (input.type) {
    case 'created':
      publish(d, { type: 'status', status: s.status })
      // Accepted, and now waiting in the dispatch line (a follower waits on its leader instead).
      if (s.status === 'submitted' && !s.leaderId) apply(d, { status: 'queued' })
      return
    case 'waiting':
      return waiting(d, input.reason)
    case 'dispatched':
      if (!isDispatchStatus(s.status)) return false
      s.workerId = input.agentId
      s.attempt = input.attempt
      s.lastAgentSeq = 0
      s.lastHeartbeat = d.now
      s.tries += 1
      // A new start holds a transfer slot until its agent reports it parked.
      s.waiting = null
      apply(d, { status: 'metadata_fetch' })
      armWatchdog(d)
      return true
    case 'move_to_line':
      if (!isRunningStatus(s.status) || !s.workerId || s.leaderId) return
      stopAgent(d)
      apply(d, { status: 'queued', error: input.error })
      enqueue(d, 0, { keepPlace: true })
      return
    case 'fail_permanently':
      stopAgent(d)
      apply(d, { status: 'failed', error: input.error })
      return
    case 'complete_from_content':
      if (isDispatchStatus(s.status)) apply(d, { stored: input.stored, status: 'completed' })
      return
    case 'agent_callback':
      return agentCallback(d, input.agentId, input.callback, input.checks)
    case 'user_action':
      return userAction(d, input)
    case 'agent_resumed': {
      if (s.status !== 'paused') return
      const other = input.inFlight
      if (input.ok) {
        s.lastHeartbeat = d.now
        apply(d, { status: resumedStatus(s) })
        armWatchdog(d)
      } else if (other?.coversMe) followLeader(d, other)
      else backToQueue(d, 'resume', input.selectedFiles, input.files)
      return
    }
    case 'mirror':
      if (s.leaderId && isActiveStatus(s.status)) apply(d, input.change, true)
      return
    case 'become_leader':
      s.leaderId = null
      s.workerId = null
      apply(d, { status: 'queued' }, true)
      // It waited since it was submitted, riding on the leader: it keeps that place.
      enqueue(d, 0, { keepPlace: true })
      return
    case 'set_leader':
      s.leaderId = input.leaderId
      return
    case 'follow':
      // An upload under way has every byte already: it finishes on its own.
      if (!isActiveStatus(s.status) || s.status === 'uploading' || s.leaderId) return false
      followLeader(d, input.leader)
      return true
    case 'stale_check':
      return staleCheck(d)
    case 'deleted':
      if (isActiveStatus(s.status)) stopAgent(d)
      handOverFollowers(d)
      d.effects.push({ type: 'forget' })
      return
    case 'active_slot_refused':
      return {
        ok: false,
        status: 422,
        code: 'quota_exceeded',
        limit: 'active_jobs',
        message: input.message,
      }
  }
}

/**
 * An agent error kept the job from starting: a try from its budget. It keeps its place in line
 * and is tried again after a backoff, or fails once the budget is used up.
 */
function waiting(d: Draft, reason: JobError): Replies['waiting'] {
  const s = d.s
  if (!isDispatchStatus(s.status)) return { outcome: 'done' }
  s.tries += 1
  if (s.tries >= MAX_ATTEMPTS) {
    stopAgent(d)
    apply(d, { status: 'failed', error: gaveUp(reason) })
    return { outcome: 'gave_up' }
  }
  apply(d, { status: 'queued', error: reason })
  const delaySeconds = backoffSeconds(s.tries)
  enqueue(d, delaySeconds, { keepPlace: true })
  return { outcome: 'retry', delaySeconds }
}

const GAVE_UP = ` Gave up after ${MAX_ATTEMPTS} attempts.`
function gaveUp(error: JobError): JobError {
  return { code: error.code, message: `${error.message}${GAVE_UP}` }
}
/** Whether a job's error is the one it fails with after its last attempt. */
export const isGaveUp = (error: JobError): boolean => error.message.endsWith(GAVE_UP)

function agentCallback(
  d: Draft,
  agentId: string,
  cb: AgentCallback,
  checks: MetadataChecks,
): Replies['agent_callback'] {
  const s = d.s
  if (s.workerId !== agentId || (cb.attempt !== undefined && cb.attempt !== s.attempt)) {
    return {
      ok: false,
      status: 409,
      code: 'not_assigned',
      message: 'This job is not assigned to this agent (any more).',
    }
  }
  if (cb.seq <= s.lastAgentSeq) {
    return {
      ok: false,
      status: 409,
      code: 'duplicate_event',
      message: `Event ${cb.seq} was already received.`,
    }
  }
  s.lastAgentSeq = cb.seq
  s.lastHeartbeat = d.now
  if (isActiveStatus(s.status)) armWatchdog(d)
  switch (cb.type) {
    case 'metadata_ready':
      metadataReady(d, { name: cb.name, files: cb.files }, checks)
      break
    case 'progress_update': {
      const { type: _t, jobId: _j, seq: _s, attempt: _a, phase, bytesUploaded, ...progress } = cb
      apply(d, {
        progress: {
          ...progress,
          ...(bytesUploaded === undefined ? {} : { bytesStored: bytesUploaded }),
        },
        status: s.status === 'paused' ? undefined : phase,
      })
      break
    }
    case 'completed':
      apply(d, { stored: cb.files, status: 'completed' })
      break
    case 'failed': {
      const error = { code: cb.code, message: cb.message }
      if (cb.retryable) requeueOrFail(d, error)
      else apply(d, { status: 'failed', error })
      break
    }
  }
  return { ok: true }
}

function metadataReady(
  d: Draft,
  metadata: { name: string; files: FileEntry[] },
  checks: MetadataChecks,
): void {
  const s = d.s
  // Quotas of a job awaiting files are checked against the files its owner chooses.
  const quotaProblem = s.awaitingFiles ? null : checks.quotaProblem
  if (metadata.files.length > MAX_TORRENT_FILES) {
    // Refused before any file row is written: the list itself is what D1 cannot take.
    stopAgent(d)
    apply(d, {
      status: 'failed',
      error: { code: 'invalid_torrent', message: tooManyFilesMessage(metadata.files.length) },
    })
  } else if (quotaProblem) {
    stopAgent(d)
    apply(d, {
      metadata,
      status: 'failed',
      error: { code: 'quota_exceeded', message: quotaProblem },
    })
    handOverFollowers(d)
  } else if (checks.blockedReason) {
    stopAgent(d)
    apply(d, {
      status: 'failed',
      error: { code: 'blocked', message: `This content is blocked: ${checks.blockedReason}` },
    })
  } else if (s.awaitingFiles) {
    // The choice may take the owner hours: give the agent's slot back meanwhile.
    stopAgent(d)
    apply(d, { metadata, status: 'paused' })
  } else {
    apply(d, { metadata, status: s.status === 'paused' ? undefined : 'downloading' })
  }
}

function userAction(
  d: Draft,
  input: Extract<LifecycleInput, { type: 'user_action' }>,
): Replies['user_action'] {
  const { action, selectedFiles, files, operatorReason, inFlight } = input
  const s = d.s
  const error = operatorReason === undefined ? undefined : byOperator(action, operatorReason)
  if (selectedFiles && !(action === 'resume' && s.awaitingFiles)) {
    return {
      ok: false,
      status: 409,
      message: 'Files can be chosen only while the job waits for a choice of files.',
    }
  }
  if (!allowedActions(s.status).includes(action)) {
    return {
      ok: false,
      status: 409,
      message: `A ${s.status.replace('_', ' ')} job cannot be ${action === 'retry' ? 'retried' : `${action}d`}.`,
    }
  }
  // Resume and retry make the job active again: that takes one of the owner's active-job slots.
  if (isActiveStatus(ACTION_TARGETS[action])) d.activates = { jobId: s.jobId, userId: s.userId }
  if (action === 'pause') {
    if (s.workerId && !s.leaderId)
      d.effects.push({ type: 'pause_agent', jobId: s.jobId, agentId: s.workerId })
    apply(d, { status: 'paused', error })
    // Other users' jobs riding on this download must not wait for its owner's resume.
    handOverFollowers(d)
  } else if (action === 'cancel') {
    stopAgent(d)
    apply(d, { status: 'cancelled', error })
    handOverFollowers(d)
  } else if (action === 'resume' && s.workerId && !s.leaderId) {
    // Its own copy waits, paused, on its agent. While it was paused the same content may have
    // started downloading for someone else (its followers, handed over): one download goes on,
    // the one further along.
    if (inFlight?.coversMe && isAhead(inFlight, s)) followLeader(d, inFlight)
    else {
      // This copy goes on. The other download, if it wants no file this one does not bring,
      // rides on it (with its followers): stopped before this one resumes, as both may be on one
      // agent, whose engine holds one torrent per content. Should the resume fail, this job goes
      // in line and the other waits on it.
      const takeOver = inFlight?.coveredByMe ? inFlight : null
      if (takeOver)
        d.effects.push({ type: 'take_over', from: takeOver.id, status: resumedStatus(s) })
      d.effects.push({
        type: 'resume_agent',
        jobId: s.jobId,
        agentId: s.workerId,
        selectedFiles,
        files,
        inFlight: takeOver ? null : inFlight,
      })
    }
  } else if (inFlight?.coversMe) {
    // Nothing of its own to resume (or a retry): it rides on the download in flight.
    if (action === 'resume' && s.awaitingFiles) chooseFiles(d, selectedFiles, files)
    if (action === 'retry') s.tries = 0
    followLeader(d, inFlight)
  } else backToQueue(d, action, selectedFiles, files, error)
  return { ok: true }
}

/** What a paused job's agent resumes: its download, or its search for metadata. */
function resumedStatus(s: JobProgressState): 'downloading' | 'metadata_fetch' {
  return s.bytesTotal > 0 ? 'downloading' : 'metadata_fetch'
}

/** Whether `other` has downloaded more than the job, on an agent of its own now. */
function isAhead(other: InFlightDownload, s: JobProgressState): boolean {
  return isRunningStatus(other.status) && other.progress.bytesDownloaded > s.bytesDownloaded
}

/**
 * The job rides on `leader`'s download of the same content from now on: its own copy (if any)
 * is stopped and removed, it takes the leader's status and progress (and file list, if it has
 * none yet), and the leader mirrors its changes to it.
 */
function followLeader(d: Draft, leader: Leader): void {
  const s = d.s
  const heldSlot = holdsTransferSlot(s)
  stopAgent(d)
  s.leaderId = leader.id
  s.waiting = null
  // The leader's per-file counts replace the job's own, which its removed copy no longer has.
  s.fileBytes = {}
  const metadata = s.bytesTotal ? undefined : leader.metadata
  apply(
    d,
    { status: leader.status, progress: leader.progress, ...(metadata && { metadata }) },
    true,
  )
  // The row records whom it follows even when the status did not change.
  if (s.persistedAt !== d.now) {
    write(d, [{ type: 'job_row', job: { ...s }, error: undefined, at: d.now }])
    s.persistedAt = d.now
  }
  log(d, 'info', 'job_follows', { jobId: s.jobId, leaderId: leader.id })
  d.effects.push({ type: 'following', leaderId: leader.id })
  if (heldSlot) d.effects.push({ type: 'room_freed' })
}

/** What the owner reads when an operator acted on their job: the action and the reason, in words. */
function byOperator(action: JobAction, reason: string): JobError {
  const done = { pause: 'paused', resume: 'resumed', cancel: 'cancelled', retry: 'retried' }[action]
  const message = `${done[0]!.toUpperCase()}${done.slice(1)} by an operator: ${reason}`
  return { code: `${done}_by_operator`, message }
}

/** Resume or retry by the queue: a fresh dispatch, on its own (not following) and, after a retry, with a fresh budget. */
function backToQueue(
  d: Draft,
  action: JobAction,
  selectedFiles: number[] | null | undefined,
  files: FileSize[],
  error?: JobError,
): void {
  const s = d.s
  if (action === 'resume' && s.awaitingFiles) chooseFiles(d, selectedFiles, files)
  if (action === 'retry') s.tries = 0
  if (s.leaderId) {
    s.leaderId = null
    write(d, [{ type: 'unfollow', jobId: s.jobId }])
  }
  apply(d, { status: 'queued', error })
  enqueue(d, 0, { keepPlace: false })
}

/**
 * The owner chose files (null: all) for a job whose file list is known; without a file list yet
 * the job keeps waiting and stops again once the list is known.
 */
function chooseFiles(d: Draft, selected: number[] | null | undefined, files: FileSize[]): void {
  if (!files.length) return
  const s = d.s
  const chosen = selected ? new Set(selected) : null
  s.selectedFiles = selected ?? null
  s.awaitingFiles = false
  s.bytesTotal = sizeOf(files, chosen)
  write(d, [
    {
      type: 'file_choice',
      jobId: s.jobId,
      selectedFiles: s.selectedFiles,
      chosen: selected ?? files.map((f) => f.index),
      bytesTotal: s.bytesTotal,
    },
  ])
}

function staleCheck(d: Draft): void {
  const s = d.s
  if (!isActiveStatus(s.status) || !s.workerId || s.leaderId) return
  const silentFor = d.now - s.lastHeartbeat
  if (silentFor < AGENT_STALE_MS) {
    d.effects.push({ type: 'watchdog', at: s.lastHeartbeat + AGENT_STALE_MS })
    return
  }
  log(d, 'warn', 'worker_stale', { jobId: s.jobId, agentId: s.workerId, silentMs: silentFor })
  publish(d, {
    type: 'error',
    code: 'worker_stale',
    message: `Agent ${s.workerId} stopped reporting; the job is re-queued.`,
  })
  requeueOrFail(d, { code: 'worker_stale', message: 'The agent stopped reporting.' }, 0)
}

/** Back to the queue for another agent (after `delaySeconds`), unless the budget is used up. */
function requeueOrFail(d: Draft, error: JobError, delaySeconds?: number): void {
  const s = d.s
  const stale = s.workerId
  s.workerId = null
  if (s.tries >= MAX_ATTEMPTS) {
    apply(d, { status: 'failed', error: gaveUp(error) })
    return
  }
  // Lost through no fault of its own (or its torrent's): it keeps its place in line. A fill
  // running meanwhile (another job's, or a heartbeat's) must not find it in line with the old,
  // past delay and start it again at once: the delay and the status land in one batch (and the
  // delay first, should the writes ever be split again).
  enqueue(d, delaySeconds ?? backoffSeconds(s.tries), { keepPlace: true })
  apply(d, { status: 'queued', error })
  if (stale) log(d, 'info', 'job_requeued', { jobId: s.jobId, from: stale, attempt: s.attempt })
}
