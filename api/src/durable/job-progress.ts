import { DurableObject } from 'cloudflare:workers'
import {
  isActiveStatus,
  JobProgressState,
  ProgressFields,
  type AgentCallback,
  type JobAction,
  type JobError,
  type JobEvent,
  type JobStatus,
  type StoredFileEntry,
} from '@tseeder/shared'
import { pauseJob, resumeJob, stopJob } from '../agents/control.ts'
import { alertJobGaveUp } from '../alerts/job-gave-up.ts'
import { auditRecordStatement, type AuditRecord } from '../db/audit.ts'
import { recordJobEvent } from '../db/job-events.ts'
import { claimActiveSlot } from '../db/active-jobs.ts'
import { covers, findInFlightDownload, getJobRow, selectedFilesOf } from '../db/jobs.ts'
import { jobMetadata } from '../db/job-files.ts'
import { log } from '../lib/log.ts'
import { JobMeter } from '../metrics/job-phases.ts'
import { SerialQueue } from '../lib/serial.ts'
import { encodeEvent, type Frame } from '../lib/sse-hub.ts'
import { notifyJobFinished } from '../push/notify.ts'
import { deliverDueWebhooks, queueJobWebhooks } from '../webhooks/deliver.ts'
import { enqueueDispatch, fillLine } from '../queue/dispatch-queue.ts'
import { forgetReads, userSessions } from './user-session.ts'
import { JobEventLog } from '../db/job-event-log.ts'
import {
  activeSlotRefusal,
  filesAwaitingChoice,
  metadataChecks,
  stateFromRow,
} from './job-facts.ts'
import { Followers } from './job-followers.ts'
import type {
  ActionResult,
  CallbackResult,
  Decision,
  Effect,
  InFlightDownload,
  JobChange,
  Leader,
  LifecycleInput,
  Replies,
  WaitOutcome,
} from './job-intents.ts'
import { decide, isGaveUp } from './job-lifecycle.ts'
import { statementsFor } from './job-writes.ts'

export interface ActionOptions {
  /** With `resume` of a job awaiting files: the files to download (null or absent: all). */
  selectedFiles?: number[] | null
  /** An operator acting on someone else's job, and why: the owner reads it on the job. */
  operatorReason?: string
  /** The action's audit row, written in the same D1 batch as the job's change (none if refused). */
  audit?: AuditRecord
}

type Input<T extends LifecycleInput['type']> = Extract<LifecycleInput, { type: T }>

/**
 * Inputs after which a job that failed on its last attempt is alerted from here: its agents kept
 * failing it (retryable) or went silent. The dispatcher alerts its own (`waiting`); a follower
 * mirroring its leader's failure is not a second alert.
 */
const GAVE_UP_ON_AGENTS = new Set<LifecycleInput['type'] | null>(['agent_callback', 'stale_check'])

/**
 * One per job, and the only writer of its lifecycle: agent callbacks, dispatches, user actions,
 * its leader's changes and the stale-agent watchdog all pass through here, one at a time. Each
 * is decided by the pure core (`job-lifecycle.ts`); this shell loads the state, performs what
 * was decided in order (D1 writes, events to streams and the owner's feed, agent calls, the
 * queue, push, followers, the watchdog alarm) and keeps the state in storage.
 */
export class JobProgressDO extends DurableObject<Env> {
  private state: JobProgressState | null = null
  private readonly queue = new SerialQueue()
  private readonly events: JobEventLog
  private readonly followers: Followers
  /** The input being performed: see {@link GAVE_UP_ON_AGENTS}. */
  private deciding: LifecycleInput['type'] | null = null
  private readonly meter: JobMeter
  /** The audit row of the entry point being run, until the first D1 write batches it. */
  private pendingAudit: AuditRecord | null = null

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.events = new JobEventLog(ctx.storage.sql)
    this.meter = new JobMeter(ctx.storage.kv, env)
    this.followers = new Followers(
      env.DB,
      (id) => jobProgress(env, id),
      (userId) => forgetReads(env, userId),
    )
  }

  // ---- entry points -------------------------------------------------------------------------

  /** A job row was just created (submitted, following, or completed at once): announce it. */
  created(jobId: string): Promise<void> {
    return this.run(jobId, () => ({ type: 'created' }), true)
  }

  /**
   * An agent error kept the dispatcher from starting the job: it waits in line, keeping its
   * place, and is tried again after a backoff, or fails once its attempt budget is used up.
   */
  waiting(jobId: string, reason: JobError): Promise<WaitOutcome> {
    return this.run(jobId, () => ({ type: 'waiting', reason }))
  }

  /**
   * The dispatcher handed the job to `agentId` with `/start`. False when the job stopped waiting
   * meanwhile (paused, cancelled, deleted): the caller then stops that agent's copy. `audit`
   * lands with the job's change, or not at all.
   */
  dispatched(
    jobId: string,
    agentId: string,
    attempt: number,
    audit?: AuditRecord,
  ): Promise<boolean> {
    return this.run(jobId, () => ({ type: 'dispatched', agentId, attempt }), false, audit)
  }

  /** The job leaves its agent (being drained) and goes back in line, keeping its place. */
  moveToLine(jobId: string, error: JobError): Promise<void> {
    return this.run(jobId, () => ({ type: 'move_to_line', error }))
  }

  /** The job cannot be dispatched any more (attempts used up, blocked): it fails for good. */
  failPermanently(jobId: string, error: JobError): Promise<void> {
    return this.run(jobId, () => ({ type: 'fail_permanently', error }))
  }

  /** Someone else's download of the same content finished first: complete from what is stored. */
  completeFromContent(jobId: string, stored: StoredFileEntry[]): Promise<void> {
    return this.run(jobId, () => ({ type: 'complete_from_content', stored }))
  }

  /** A signed callback from the agent the job is assigned to. */
  agentCallback(jobId: string, agentId: string, callback: AgentCallback): Promise<CallbackResult> {
    return this.run(jobId, async (s) => ({
      type: 'agent_callback',
      agentId,
      callback,
      checks: await metadataChecks(this.env.DB, s, callback),
    }))
  }

  /** Pause, resume, cancel or retry, asked by the job's owner or, with a reason, an operator. */
  userAction(jobId: string, action: JobAction, options: ActionOptions = {}): Promise<ActionResult> {
    return this.run(
      jobId,
      async (s) => ({
        type: 'user_action',
        action,
        selectedFiles: options.selectedFiles,
        operatorReason: options.operatorReason,
        files: action === 'resume' ? await filesAwaitingChoice(this.env.DB, s) : [],
        inFlight:
          action === 'resume' || action === 'retry'
            ? await this.inFlight(s, options.selectedFiles)
            : null,
      }),
      false,
      options.audit,
    )
  }

  /** The leader this job follows changed: apply the same change here. */
  mirror(jobId: string, change: JobChange): Promise<void> {
    return this.run(jobId, () => ({ type: 'mirror', change }))
  }

  /** The job row is being deleted: end streams, stop the agent, hand followers over, forget. */
  async deleted(jobId: string): Promise<void> {
    const owner =
      (this.state ?? this.stored())?.userId ?? (await getJobRow(this.env.DB, jobId))?.user_id
    await this.run(jobId, () => ({ type: 'deleted' }))
    // The job's streams are its owner's object's: they end there.
    if (owner) await userSessions(this.env, owner).closeJobStreams(jobId)
  }

  /** Runs the watchdog now (the cron calls it for jobs whose agent stopped heartbeating). */
  checkStale(jobId: string): Promise<void> {
    return this.run(jobId, () => ({ type: 'stale_check' }))
  }

  /** Called on the heir of a cancelled or deleted leader. */
  becomeLeader(jobId: string): Promise<void> {
    return this.run(jobId, () => ({ type: 'become_leader' }))
  }

  setLeader(jobId: string, leaderId: string): Promise<void> {
    return this.run(jobId, () => ({ type: 'set_leader', leaderId }))
  }

  /**
   * `leader`, resumed with its own download further along, takes this job's over: this job stops
   * its own and follows it. False when it stopped downloading meanwhile.
   */
  follow(jobId: string, leader: Leader): Promise<boolean> {
    return this.run(jobId, async (s) => ({
      type: 'follow',
      leader: { ...leader, metadata: await this.metadataFor(s, leader) },
    }))
  }

  /**
   * Another user's job started following this one. Not queued behind this object's input being
   * performed: that input may be the one that made it follow (`take_over`).
   */
  followersChanged(): void {
    this.followers.forget()
  }

  /**
   * The job's events after `lastEventId` (none: the latest of each kind), encoded, for its
   * owner's `UserSessionDO`, which serves `GET /api/jobs/:id/events` and gets the live events in
   * `publish`.
   */
  replay(lastEventId: number): Frame[] {
    return this.events.replay(lastEventId).map(encodeEvent)
  }

  /**
   * The job's progress as of its last report, with the status it belongs to: D1 holds progress
   * only as of the last write (at most every 10 s), so a single job's read asks here.
   */
  live(): { status: JobStatus; progress: ProgressFields } | null {
    const s = this.state ?? this.stored()
    return s ? { status: s.status, progress: ProgressFields.parse(s) } : null
  }

  /** The job's history: its status, metadata and error events, oldest first. */
  history(): JobEvent[] {
    return this.events.history()
  }

  /** The watchdog: an active job whose agent has said nothing for 30 s is re-queued. */
  override async alarm(): Promise<void> {
    const s = this.state ?? this.stored()
    if (s) await this.checkStale(s.jobId)
  }

  // ---- load, decide, perform ----------------------------------------------------------------

  /**
   * Decides `input` and performs the effects, one entry point at a time. When the reply says the
   * change happened, `audit` goes into the first D1 write batch the decisions make (or alone, if
   * they make none); a refusal audits nothing.
   */
  private run<T extends LifecycleInput['type']>(
    jobId: string,
    input: (s: JobProgressState | null) => Input<T> | Promise<Input<T>>,
    fromRow = false,
    audit?: AuditRecord,
  ): Promise<Replies[T]> {
    return this.queue.run(async () => {
      try {
        const s = await this.load(jobId, fromRow)
        const first = await input(s)
        this.deciding = first.type
        let decision = await this.holding(s, decide(s, first, Date.now()))
        const reply = decision.reply as Replies[T]
        this.pendingAudit = audit && succeeded(reply) ? audit : null
        for (;;) {
          this.state = decision.state
          this.save()
          let next: LifecycleInput | undefined
          for (const effect of decision.effects) next = (await this.perform(effect)) ?? next
          if (!next) break
          this.deciding = next.type
          decision = await this.holding(this.state, decide(this.state, next, Date.now()))
        }
        if (this.pendingAudit) await auditRecordStatement(this.env.DB, this.pendingAudit).run()
        return reply
      } finally {
        this.pendingAudit = null
      }
    })
  }

  /**
   * A decision that makes the job active holds only if the owner's plan has a slot: claimed in
   * one D1 statement (the only race-free check; creates take slots in D1 too), else the core
   * decides the refusal from the state `before`.
   */
  private async holding(before: JobProgressState | null, decision: Decision): Promise<Decision> {
    if (!decision.activates) return decision
    const claim = { ...decision.activates, at: Date.now() }
    if (await claimActiveSlot(this.env.DB, claim)) {
      await forgetReads(this.env, claim.userId)
      return decision
    }
    const message = await activeSlotRefusal(this.env.DB, claim.userId)
    return decide(before, { type: 'active_slot_refused', message }, Date.now())
  }

  /** Performs one effect; an agent's answer that the core must see comes back as an input. */
  private async perform(effect: Effect): Promise<LifecycleInput | undefined> {
    const env = this.env
    switch (effect.type) {
      case 'write': {
        const statements = effect.writes.flatMap((w) => statementsFor(env.DB, w))
        if (this.pendingAudit) statements.push(auditRecordStatement(env.DB, this.pendingAudit))
        this.pendingAudit = null
        await env.DB.batch(statements)
        if (this.state) await forgetReads(env, this.state.userId)
        return
      }
      case 'publish': {
        const { event } = effect
        this.events.append(event)
        await userSessions(env, effect.userId).publish(event)
        this.meter.published(event, this.state)
        if (event.type !== 'progress') await recordJobEvent(env.DB, event, Date.now())
        if (event.type === 'status' && event.error && isGaveUp(event.error))
          if (GAVE_UP_ON_AGENTS.has(this.deciding)) this.ctx.waitUntil(alertJobGaveUp(env, event))
        return
      }
      case 'stop_agent':
        await stopJob(env, effect.agentId, effect.jobId)
        return
      case 'pause_agent':
        await pauseJob(env, effect.agentId, effect.jobId)
        return
      case 'resume_agent':
        return {
          type: 'agent_resumed',
          ok: await resumeJob(env, effect.agentId, effect.jobId),
          selectedFiles: effect.selectedFiles,
          files: effect.files,
          inFlight: effect.inFlight,
        }
      case 'enqueue':
        await enqueueDispatch(env, effect.job, effect.delaySeconds)
        return
      case 'room_freed':
        await fillLine(env)
        return
      case 'notify_finished':
        this.ctx.waitUntil(
          notifyJobFinished(env, effect.userId, effect.jobId).catch((e) =>
            log.error('push_failed', { jobId: effect.jobId, error: String(e) }),
          ),
        )
        await this.sendWebhooks(effect.userId, effect.jobId)
        return
      case 'mirror_to_followers':
        await this.followers.mirror(effect.jobId, effect.change)
        return
      case 'hand_over_followers':
        await this.followers.handOver(effect.jobId)
        return
      case 'following':
        await jobProgress(env, effect.leaderId).followersChanged()
        return
      case 'take_over': {
        const s = this.state!
        const taken = await jobProgress(env, effect.from).follow(effect.from, {
          id: s.jobId,
          status: effect.status,
          progress: ProgressFields.parse(s),
        })
        if (taken) await this.followers.adopt(effect.from, s.jobId)
        return
      }
      case 'watchdog':
        await this.ctx.storage.setAlarm(effect.at)
        return
      case 'log':
        log[effect.level](effect.event, effect.fields)
        return
      case 'forget':
        this.state = null
        await this.ctx.storage.deleteAll()
        return
    }
  }

  /**
   * Queues the owner's completion webhooks (stored before this input finishes, so the cron
   * retries them even if this object goes away) and sends them in the background.
   */
  private async sendWebhooks(userId: string, jobId: string): Promise<void> {
    try {
      const ids = await queueJobWebhooks(this.env, userId, jobId)
      if (ids.length) this.ctx.waitUntil(deliverDueWebhooks(this.env, Date.now(), ids))
    } catch (error) {
      log.error('webhooks_not_queued', { jobId, error: String(error) })
    }
  }

  /**
   * Another job downloading this job's content now, for a resume or retry to ride on (or to take
   * over, if this job's own copy is further along); null if none. A job awaiting a choice of
   * files looks with the files chosen (`chosen`; none: all), unless its agent holds a copy.
   */
  private async inFlight(
    s: JobProgressState | null,
    chosen: number[] | null | undefined,
  ): Promise<InFlightDownload | null> {
    if (!s || s.leaderId || (s.awaitingFiles && s.workerId)) return null
    const wanted = s.awaitingFiles ? (chosen ?? null) : s.selectedFiles
    const row = await findInFlightDownload(this.env.DB, s.infohash, wanted, {
      exceptId: s.jobId,
      orCoveredBy: true,
    })
    const live = row && (await jobProgress(this.env, row.id).live())
    if (!row || !live || !isActiveStatus(live.status)) return null
    const theirs = selectedFilesOf(row)
    const other = {
      id: row.id,
      status: live.status,
      progress: live.progress,
      coversMe: covers(theirs, wanted),
      coveredByMe: covers(wanted, theirs),
    }
    return { ...other, metadata: await this.metadataFor(s, other) }
  }

  /** The leader's file list, when this job has none yet (a magnet whose metadata never came). */
  private async metadataFor(
    s: JobProgressState | null,
    leader: Pick<Leader, 'id' | 'progress'>,
  ): Promise<Leader['metadata']> {
    if (!s || s.bytesTotal || !leader.progress.bytesTotal) return undefined
    return jobMetadata(this.env.DB, leader.id)
  }

  private save(): void {
    if (this.state) this.ctx.storage.kv.put('state', this.state)
  }

  private stored(): JobProgressState | null {
    const parsed = JobProgressState.safeParse(this.ctx.storage.kv.get('state'))
    return parsed.success ? parsed.data : null
  }

  /** The state, from memory, this object's storage, or (first use, or unreadable) the D1 row. */
  private async load(jobId: string, fromRow: boolean): Promise<JobProgressState | null> {
    if (this.state && !fromRow) return this.state
    const stored = fromRow ? null : this.stored()
    if (stored) return (this.state = stored)
    const row = await getJobRow(this.env.DB, jobId)
    if (!row) return null
    this.state = stateFromRow(row, Math.max(this.state?.seq ?? 0, this.events.lastSeq()))
    this.save()
    return this.state
  }
}

/** Whether an entry point's reply says its change happened (an action done, a dispatch kept). */
function succeeded(reply: unknown): boolean {
  return (
    reply === true ||
    (typeof reply === 'object' && reply !== null && 'ok' in reply && reply.ok === true)
  )
}

export function jobProgress(env: Env, jobId: string): DurableObjectStub<JobProgressDO> {
  return env.JOB_PROGRESS.get(env.JOB_PROGRESS.idFromName(jobId))
}
