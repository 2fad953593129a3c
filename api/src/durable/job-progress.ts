import { DurableObject } from 'cloudflare:workers'
import {
  ACTIVE_STATUSES,
  AGENT_STALE_MS,
  agentProtocol,
  canTransition,
  isActiveStatus,
  type AgentCallback,
  type ErrorCode,
  type JobEvent,
  type JobStatus,
  ProgressFields,
} from '@tseeder/shared'
import { callAgent } from '../agents/client.ts'
import { getAgent, isAgentHealthy } from '../agents/registry.ts'
import { getJobRow, selectedFilesOf, type JobRow } from '../db/jobs.ts'
import { sqlList } from '../db/sql.ts'
import { mimeTypeOf } from '@tseeder/shared/mime'
import { getPlan, getUsage } from '../db/plans.ts'
import { backoffSeconds, enqueueDispatch, MAX_ATTEMPTS } from '../jobs/queue.ts'
import { storageProblem } from '../jobs/quotas.ts'
import { log } from '../lib/log.ts'
import { SerialQueue } from '../lib/serial.ts'
import { type HubEvent, SseHub } from '../lib/sse-hub.ts'
import { SECOND } from '../lib/time.ts'
import { notifyJobFinished } from '../push/notify.ts'
import { contentKey } from '../storage/s3.ts'
import { userSessions } from './user-session.ts'

/** The seed's live state of a job, kept in this object's storage. */
export interface ProgressState extends ProgressFields {
  jobId: string
  userId: string
  status: JobStatus
  selectedFiles: number[] | null
  /** Stop at metadata and wait, paused, for the owner to choose files. */
  awaitingFiles: boolean
  storedBytes: number
  /** When the agent last reported (Unix ms). */
  lastHeartbeat: number
  workerId: string | null
  /** Dispatches so far; only ever grows, so each `/start` is a new attempt for the agent. */
  attempt: number
  /** `attempt` when the user last asked for a retry: each retry gets a fresh budget. */
  attemptBase: number
  lastAgentSeq: number
  /** Sequence number of the last event published (SSE `id:`). */
  seq: number
  persistedAt: number
  /** The job this one follows (another user's identical download), if any. */
  leaderId: string | null
}

export interface FileEntry {
  index: number
  path: string
  size: number
}

export interface StoredFile extends FileEntry {
  key: string
  mimeType?: string
}

/** A change to a job, whoever it comes from: its agent, its leader, the dispatcher, its user. */
export interface JobChange {
  status?: JobStatus
  progress?: ProgressFields
  error?: { code: string; message: string }
  metadata?: { name: string; files: FileEntry[] }
  stored?: StoredFile[]
}

export type UserAction = 'pause' | 'resume' | 'cancel' | 'retry'

export type ActionResult = { ok: true } | { ok: false; status: 404 | 409; message: string }

export interface ActionOptions {
  /** With `resume` of a job awaiting files: the files to download (null or absent: all). */
  selectedFiles?: number[] | null
}

export type CallbackResult =
  { ok: true } | { ok: false; status: 404 | 409; code: ErrorCode; message: string }

/** Progress is written to D1 at most this often; status changes always are. */
const PERSIST_INTERVAL = 10 * SECOND
const REPLAY_LIMIT = 500
const HISTORY_LIMIT = 1000
const EMPTY_PROGRESS: ProgressFields = {
  progressPct: 0,
  bytesDownloaded: 0,
  bytesTotal: 0,
  downloadSpeed: 0,
  uploadSpeed: 0,
  eta: null,
  peers: 0,
  seeds: 0,
}

/**
 * One per job, and the only writer of its lifecycle: agent callbacks, dispatches, user actions
 * and the stale-agent watchdog all pass through here, one at a time. Each change is checked
 * against the shared state machine, written to D1 (status changes always, progress at most every
 * 10 s), numbered, kept for `Last-Event-ID` replay, sent to this job's SSE subscribers and to the
 * owner's feed (`UserSessionDO`), and mirrored to jobs of other users that follow this download.
 */
export class JobProgressDO extends DurableObject<Env> {
  private state: ProgressState | null = null
  private followers: string[] | null = null
  private readonly queue = new SerialQueue()
  private readonly hub = new SseHub()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL)',
    )
  }

  // ---- entry points -------------------------------------------------------------------------

  /** A job row was just created (submitted, following, or completed at once): announce it. */
  created(jobId: string): Promise<void> {
    return this.queue.run(async () => {
      const s = await this.load(jobId, true)
      if (!s) return
      await this.publish({ type: 'status', status: s.status })
    })
  }

  /** The dispatcher found no agent (or the agent refused): the job waits in `queued`. */
  waiting(jobId: string, reason: { code: string; message: string }): Promise<void> {
    return this.queue.run(async () => {
      const s = await this.load(jobId)
      if (!s || s.status === 'queued') return
      await this.apply({ status: 'queued', error: reason })
    })
  }

  /**
   * The dispatcher handed the job to `agentId` with `/start`. False when the job stopped waiting
   * meanwhile (paused, cancelled, deleted): the caller then stops that agent's copy.
   */
  dispatched(jobId: string, agentId: string, attempt: number): Promise<boolean> {
    return this.queue.run(async () => {
      const s = await this.load(jobId)
      if (!s || !isWaitingForDispatch(s.status)) return false
      s.workerId = agentId
      s.attempt = attempt
      s.lastAgentSeq = 0
      s.lastHeartbeat = Date.now()
      await this.apply({ status: 'metadata_fetch' })
      await this.armWatchdog()
      return true
    })
  }

  /** The job cannot be dispatched any more (attempts used up, blocked): it fails for good. */
  failPermanently(jobId: string, error: { code: string; message: string }): Promise<void> {
    return this.queue.run(async () => {
      const s = await this.load(jobId)
      if (!s) return
      await this.stopAgent(true)
      await this.apply({ status: 'failed', error })
    })
  }

  /** Someone else's download of the same content finished first: complete from what is stored. */
  completeFromContent(jobId: string, stored: StoredFile[]): Promise<void> {
    return this.queue.run(async () => {
      const s = await this.load(jobId)
      if (!s || !isWaitingForDispatch(s.status)) return
      await this.apply({ stored, status: 'completed' })
    })
  }

  /** A signed callback from the agent the job is assigned to. */
  agentCallback(jobId: string, agentId: string, cb: AgentCallback): Promise<CallbackResult> {
    return this.queue.run(async () => {
      const s = await this.load(jobId)
      if (!s) return { ok: false, status: 404, code: 'not_found', message: 'No such job.' }
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
      s.lastHeartbeat = Date.now()
      this.save()
      if (isActiveStatus(s.status)) await this.armWatchdog()
      await this.handleCallback(cb)
      return { ok: true }
    })
  }

  /** Pause, resume, cancel or retry, asked by the job's owner. */
  userAction(
    jobId: string,
    action: UserAction,
    options: ActionOptions = {},
  ): Promise<ActionResult> {
    return this.queue.run(async () => {
      const s = await this.load(jobId)
      if (!s) return { ok: false, status: 404, message: 'No such job.' }
      if (options.selectedFiles && !(action === 'resume' && s.awaitingFiles)) {
        return {
          ok: false,
          status: 409,
          message: 'Files can be chosen only while the job waits for a choice of files.',
        }
      }
      const targets: Record<UserAction, JobStatus> = {
        pause: 'paused',
        resume: 'queued',
        cancel: 'cancelled',
        retry: 'queued',
      }
      const target = targets[action]
      const allowed =
        action === 'resume'
          ? s.status === 'paused'
          : action === 'retry'
            ? s.status === 'failed'
            : canTransition(s.status, target)
      if (!allowed) {
        return {
          ok: false,
          status: 409,
          message: `A ${s.status.replace('_', ' ')} job cannot be ${action === 'retry' ? 'retried' : `${action}d`}.`,
        }
      }
      if (action === 'pause') {
        if (s.workerId && !s.leaderId) await this.tellAgent('pause')
        await this.apply({ status: 'paused' })
      } else if (action === 'cancel') {
        await this.stopAgent(true)
        await this.apply({ status: 'cancelled' })
        await this.handOverFollowers()
      } else if (
        action === 'resume' &&
        s.workerId &&
        !s.leaderId &&
        (await this.tellAgent('resume'))
      ) {
        s.lastHeartbeat = Date.now()
        await this.apply({ status: s.bytesTotal > 0 ? 'downloading' : 'metadata_fetch' })
        await this.armWatchdog()
      } else {
        if (action === 'resume' && s.awaitingFiles) await this.chooseFiles(options.selectedFiles)
        if (action === 'retry') s.attemptBase = s.attempt
        await this.detachFromLeader()
        await this.apply({ status: 'queued' })
        await enqueueDispatch(this.env, {
          id: s.jobId,
          user_id: s.userId,
          infohash: await this.infohash(),
        })
      }
      return { ok: true }
    })
  }

  /** The leader this job follows changed: apply the same change here. */
  mirror(jobId: string, change: JobChange): Promise<void> {
    return this.queue.run(async () => {
      const s = await this.load(jobId)
      if (!s || !s.leaderId || !isActiveStatus(s.status)) return
      await this.apply(change, { force: true })
    })
  }

  /** The job row is being deleted: end streams, stop the agent, hand followers over, forget. */
  deleted(jobId: string): Promise<void> {
    return this.queue.run(async () => {
      const s = await this.load(jobId)
      if (s && isActiveStatus(s.status)) await this.stopAgent(true)
      if (s) await this.handOverFollowers()
      this.hub.close()
      this.state = null
      await this.ctx.storage.deleteAll()
    })
  }

  /** `GET /api/jobs/:id/events`, forwarded by the Worker after the ownership check. */
  override async fetch(request: Request): Promise<Response> {
    const lastId = Number(request.headers.get('last-event-id'))
    const sql = this.ctx.storage.sql
    type Row = { seq: number; type: string; data: string }
    const rows =
      Number.isSafeInteger(lastId) && lastId > 0
        ? sql
            .exec<Row>(
              'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
              lastId,
              REPLAY_LIMIT,
            )
            .toArray()
        : sql
            .exec<Row>(
              'SELECT * FROM events WHERE seq IN (SELECT MAX(seq) FROM events GROUP BY type) ORDER BY seq',
            )
            .toArray()
    const replay = rows.map((r): HubEvent => ({
      id: r.seq,
      type: r.type,
      data: JSON.parse(r.data),
    }))
    return this.hub.subscribe(replay)
  }

  /** The job's history: its status, metadata and error events, oldest first. */
  history(): JobEvent[] {
    return this.ctx.storage.sql
      .exec<{ data: string }>(
        "SELECT data FROM events WHERE type != 'progress' ORDER BY seq LIMIT ?",
        HISTORY_LIMIT,
      )
      .toArray()
      .map((row) => JSON.parse(row.data) as JobEvent)
  }

  /** The watchdog: an active job whose agent has said nothing for 30 s is re-queued. */
  override async alarm(): Promise<void> {
    const s = this.state ?? this.ctx.storage.kv.get<ProgressState>('state') ?? null
    if (s) await this.checkStale(s.jobId)
  }

  /** Runs the watchdog now (the cron calls it for jobs whose agent stopped heartbeating). */
  checkStale(jobId: string): Promise<void> {
    return this.queue.run(async () => {
      const s = await this.load(jobId)
      if (!s) return
      if (!isActiveStatus(s.status) || !s.workerId || s.leaderId) return
      const silentFor = Date.now() - s.lastHeartbeat
      if (silentFor < AGENT_STALE_MS) {
        await this.ctx.storage.setAlarm(s.lastHeartbeat + AGENT_STALE_MS)
        return
      }
      log.warn('worker_stale', { jobId: s.jobId, agentId: s.workerId, silentMs: silentFor })
      await this.publish({
        type: 'error',
        code: 'worker_stale',
        message: `Agent ${s.workerId} stopped reporting; the job is re-queued.`,
      })
      await this.requeueOrFail({ code: 'worker_stale', message: 'The agent stopped reporting.' }, 0)
    })
  }

  // ---- agent callbacks ----------------------------------------------------------------------

  private async handleCallback(cb: AgentCallback): Promise<void> {
    const s = this.state!
    switch (cb.type) {
      case 'metadata_ready': {
        const files = cb.files
        // Quotas of a job awaiting files are checked against the files its owner chooses.
        const problem = s.awaitingFiles ? null : await this.quotaProblemFor(files)
        if (problem) {
          await this.stopAgent(true)
          await this.apply({
            metadata: { name: cb.name, files },
            status: 'failed',
            error: { code: 'quota_exceeded', message: problem },
          })
          await this.handOverFollowers()
          return
        }
        const blocked = await this.env.DB.prepare('SELECT reason FROM blocklist WHERE infohash = ?')
          .bind(cb.infohash)
          .first<string>('reason')
        if (blocked) {
          await this.stopAgent(true)
          await this.apply({
            status: 'failed',
            error: { code: 'blocked', message: `This content is blocked: ${blocked}` },
          })
          return
        }
        if (s.awaitingFiles) {
          // The choice may take the owner hours: give the agent's slot back meanwhile.
          await this.stopAgent(true)
          await this.apply({ metadata: { name: cb.name, files }, status: 'paused' })
          return
        }
        await this.apply({
          metadata: { name: cb.name, files },
          status: s.status === 'paused' ? undefined : 'downloading',
        })
        return
      }
      case 'progress_update': {
        const { type: _t, jobId: _j, seq: _s, attempt: _a, phase, bytesUploaded, ...progress } = cb
        await this.apply({
          progress: {
            ...progress,
            ...(bytesUploaded === undefined ? {} : { bytesStored: bytesUploaded }),
          },
          status: s.status === 'paused' ? undefined : phase,
        })
        return
      }
      case 'completed':
        await this.apply({ stored: cb.files, status: 'completed' })
        return
      case 'failed':
        if (cb.retryable) await this.requeueOrFail({ code: cb.code, message: cb.message })
        else await this.apply({ status: 'failed', error: { code: cb.code, message: cb.message } })
        return
    }
  }

  /**
   * The owner chose files (null: all) for a job whose file list is known; without a file list yet
   * the job keeps waiting and stops again once the list is known.
   */
  private async chooseFiles(selected: number[] | null | undefined): Promise<void> {
    const s = this.state!
    const db = this.env.DB
    const { results: files } = await db
      .prepare('SELECT file_index, size FROM job_files WHERE job_id = ?')
      .bind(s.jobId)
      .all<{ file_index: number; size: number }>()
    if (!files.length) return
    const chosen = selected ? new Set(selected) : null
    s.selectedFiles = selected ?? null
    s.awaitingFiles = false
    s.bytesTotal = files
      .filter((f) => !chosen || chosen.has(f.file_index))
      .reduce((sum, f) => sum + f.size, 0)
    const list = JSON.stringify(selected ?? files.map((f) => f.file_index))
    await db.batch([
      db
        .prepare(
          'UPDATE jobs SET selected_files = ?, awaiting_files = 0, bytes_total = ? WHERE id = ?',
        )
        .bind(selected ? JSON.stringify(selected) : null, s.bytesTotal, s.jobId),
      db
        .prepare(
          'UPDATE job_files SET selected = (file_index IN (SELECT value FROM json_each(?))) WHERE job_id = ?',
        )
        .bind(list, s.jobId),
    ])
    this.save()
  }

  /** Back to the queue for another agent (after `delaySeconds`), unless attempts are used up. */
  private async requeueOrFail(
    error: { code: string; message: string },
    delaySeconds?: number,
  ): Promise<void> {
    const s = this.state!
    const stale = s.workerId
    s.workerId = null
    if (s.attempt - s.attemptBase >= MAX_ATTEMPTS) {
      await this.apply({
        status: 'failed',
        error: {
          code: error.code,
          message: `${error.message} Gave up after ${MAX_ATTEMPTS} attempts.`,
        },
      })
      return
    }
    await this.apply({ status: 'queued', error })
    await enqueueDispatch(
      this.env,
      { id: s.jobId, user_id: s.userId, infohash: await this.infohash() },
      delaySeconds ?? backoffSeconds(s.attempt - s.attemptBase),
    )
    if (stale) log.info('job_requeued', { jobId: s.jobId, from: stale, attempt: s.attempt })
  }

  // ---- the one path every change takes ------------------------------------------------------

  private async apply(change: JobChange, options: { force?: boolean } = {}): Promise<boolean> {
    const s = this.state!
    const now = Date.now()
    const statusChanged = change.status !== undefined && change.status !== s.status
    if (statusChanged && !canTransition(s.status, change.status!)) {
      if (!options.force || !change.status) return false
    }
    const writes: D1PreparedStatement[] = []
    const events: DistributiveOmit<JobEvent, 'jobId' | 'seq'>[] = []

    if (change.metadata) {
      writes.push(...this.metadataWrites(change.metadata))
      events.push({
        type: 'metadata',
        name: change.metadata.name,
        bytesTotal: s.bytesTotal,
        fileCount: change.metadata.files.length,
      })
    }
    if (change.stored) writes.push(...(await this.storedWrites(change.stored)))
    if (change.progress)
      Object.assign(s, {
        ...change.progress,
        bytesTotal: s.bytesTotal || change.progress.bytesTotal,
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
      events.push({
        type: 'status',
        status: s.status,
        ...(change.error ? { error: change.error } : {}),
      })
    }
    if (change.error && !statusChanged) events.push({ type: 'error', ...change.error })
    if (change.progress) events.push({ type: 'progress', ...this.progressFields() })

    if (
      statusChanged ||
      change.metadata ||
      change.stored ||
      now - s.persistedAt >= PERSIST_INTERVAL
    ) {
      writes.push(this.jobRowUpdate(change, statusChanged, now))
      s.persistedAt = now
    }
    if (writes.length) await this.env.DB.batch(writes)
    this.save()
    for (const event of events) await this.publish(event)
    if (statusChanged && (s.status === 'completed' || s.status === 'failed')) {
      this.ctx.waitUntil(
        notifyJobFinished(this.env, s.userId, s.jobId).catch((e) =>
          log.error('push_failed', { jobId: s.jobId, error: String(e) }),
        ),
      )
    }
    await this.forwardToFollowers(change)
    return true
  }

  private jobRowUpdate(
    change: JobChange,
    statusChanged: boolean,
    now: number,
  ): D1PreparedStatement {
    const s = this.state!
    const error = statusChanged ? (change.error ?? null) : undefined
    return this.env.DB.prepare(
      `UPDATE jobs SET status = ?1, progress_pct = ?2, bytes_downloaded = ?3, bytes_total = ?4, download_speed = ?5,
         upload_speed = ?6, eta = ?7, peers = ?8, seeds = ?9, agent_id = ?10, attempt = ?11, last_agent_seq = ?12,
         follows_job_id = ?13, updated_at = ?14,
         error_code = CASE WHEN ?15 THEN ?16 ELSE error_code END,
         error_message = CASE WHEN ?15 THEN ?17 ELSE error_message END,
         completed_at = CASE WHEN ?1 = 'completed' THEN COALESCE(completed_at, ?14) ELSE completed_at END
       WHERE id = ?18`,
    ).bind(
      s.status,
      s.progressPct,
      s.bytesDownloaded,
      s.bytesTotal,
      s.downloadSpeed,
      s.uploadSpeed,
      s.eta === null ? null : Math.round(s.eta),
      s.peers,
      s.seeds,
      s.workerId,
      s.attempt,
      s.lastAgentSeq,
      s.leaderId,
      now,
      error !== undefined ? 1 : 0,
      error?.code ?? null,
      error?.message ?? null,
      s.jobId,
    )
  }

  private metadataWrites(meta: { name: string; files: FileEntry[] }): D1PreparedStatement[] {
    const s = this.state!
    const db = this.env.DB
    const selected = s.selectedFiles ? new Set(s.selectedFiles) : null
    s.bytesTotal = meta.files
      .filter((f) => !selected || selected.has(f.index))
      .reduce((sum, f) => sum + f.size, 0)
    return [
      db.prepare('DELETE FROM job_files WHERE job_id = ? AND storage_key IS NULL').bind(s.jobId),
      ...meta.files.map((f) =>
        db
          .prepare(
            `INSERT INTO job_files (id, job_id, file_index, path, size, mime_type, selected) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (job_id, file_index) DO UPDATE SET path = excluded.path, size = excluded.size`,
          )
          .bind(
            crypto.randomUUID(),
            s.jobId,
            f.index,
            f.path,
            f.size,
            mimeTypeOf(f.path),
            !selected || selected.has(f.index) ? 1 : 0,
          ),
      ),
      db.prepare('UPDATE jobs SET name = ? WHERE id = ?').bind(meta.name, s.jobId),
    ]
  }

  /** Files now in storage: linkable for this job, recorded once as content for dedup, counted as usage. */
  private async storedWrites(files: StoredFile[]): Promise<D1PreparedStatement[]> {
    const s = this.state!
    const db = this.env.DB
    const now = Date.now()
    const infohash = await this.infohash()
    const selected = s.selectedFiles ? new Set(s.selectedFiles) : null
    const mine = files.filter((f) => !selected || selected.has(f.index))
    const storedBytes = mine.reduce((sum, f) => sum + f.size, 0)
    const delta = storedBytes - s.storedBytes
    s.storedBytes = storedBytes
    s.bytesTotal = storedBytes
    const objects = files.map((f) => ({
      ...f,
      key: contentKey(infohash, f.index),
      mimeType: f.mimeType ?? mimeTypeOf(f.path),
    }))
    const total = objects.reduce((sum, f) => sum + f.size, 0)
    return [
      db
        .prepare(
          `INSERT INTO content (infohash, name, bytes_total, file_count, stored_at, last_used_at)
           VALUES (?1, (SELECT name FROM jobs WHERE id = ?2), ?3, MAX(?4, (SELECT COUNT(*) FROM job_files WHERE job_id = ?2)), ?5, ?5)
           ON CONFLICT (infohash) DO UPDATE SET last_used_at = excluded.last_used_at,
             bytes_total = MAX(content.bytes_total, excluded.bytes_total), file_count = MAX(content.file_count, excluded.file_count)`,
        )
        .bind(infohash, s.jobId, total, files.length, now),
      ...objects.flatMap((f) => [
        db
          .prepare(
            `INSERT INTO content_objects (infohash, file_index, storage_key, size, mime_type, path) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (infohash, file_index) DO UPDATE SET storage_key = excluded.storage_key, size = excluded.size, path = excluded.path`,
          )
          .bind(infohash, f.index, f.key, f.size, f.mimeType, f.path),
        db
          .prepare(
            `INSERT INTO job_files (id, job_id, file_index, path, size, mime_type, selected, storage_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (job_id, file_index) DO UPDATE SET storage_key = excluded.storage_key`,
          )
          .bind(
            crypto.randomUUID(),
            s.jobId,
            f.index,
            f.path,
            f.size,
            f.mimeType,
            !selected || selected.has(f.index) ? 1 : 0,
            f.key,
          ),
      ]),
      db.prepare('UPDATE jobs SET stored_bytes = ? WHERE id = ?').bind(storedBytes, s.jobId),
      db
        .prepare(
          'UPDATE usage SET storage_bytes = MAX(0, storage_bytes + ?), updated_at = ? WHERE user_id = ?',
        )
        .bind(delta, now, s.userId),
    ]
  }

  // ---- events -------------------------------------------------------------------------------

  private async publish(partial: DistributiveOmit<JobEvent, 'jobId' | 'seq'>): Promise<void> {
    const s = this.state!
    s.seq += 1
    const event = {
      ...partial,
      jobId: s.jobId,
      seq: s.seq,
      at: new Date().toISOString(),
    } as JobEvent
    const sql = this.ctx.storage.sql
    sql.exec(
      'INSERT INTO events (seq, type, data) VALUES (?, ?, ?)',
      event.seq,
      event.type,
      JSON.stringify(event),
    )
    // Progress is pruned; status, metadata and error events stay as the job's history.
    if (event.seq % 100 === 0)
      sql.exec("DELETE FROM events WHERE type = 'progress' AND seq <= ?", event.seq - REPLAY_LIMIT)
    this.save()
    this.hub.broadcast({ id: event.seq, type: event.type, data: event })
    await userSessions(this.env, s.userId).publish(event)
    if (event.type !== 'progress') {
      await this.env.DB.prepare(
        'INSERT OR IGNORE INTO job_events (job_id, seq, type, payload, created_at) VALUES (?, ?, ?, ?, ?)',
      )
        .bind(s.jobId, event.seq, event.type, JSON.stringify(event), Date.now())
        .run()
    }
  }

  private progressFields(): ProgressFields {
    return ProgressFields.parse(this.state)
  }

  // ---- followers: other users' jobs riding on this download ---------------------------------

  /**
   * Jobs following this one. Cached, as progress arrives every 2 s and followers are rare; a job
   * that starts following calls {@link followersChanged}, and mirrors to a job that stopped
   * following are ignored by it.
   */
  private async followerIds(fresh = false): Promise<string[]> {
    if (this.followers && !fresh) return this.followers
    const { results } = await this.env.DB.prepare(
      `SELECT id FROM jobs WHERE follows_job_id = ? AND status IN (${sqlList(ACTIVE_STATUSES)})`,
    )
      .bind(this.state!.jobId)
      .all<{ id: string }>()
    this.followers = results.map((r) => r.id)
    return this.followers
  }

  /** Another user's job started following this one. */
  followersChanged(): Promise<void> {
    return this.queue.run(async () => {
      this.followers = null
    })
  }

  private async forwardToFollowers(change: JobChange): Promise<void> {
    const s = this.state!
    if (s.leaderId) return
    const relevant: JobChange = { ...change }
    if (
      change.status === 'cancelled' ||
      change.status === 'paused' ||
      (change.status === 'queued' && !change.error)
    )
      delete relevant.status
    if (!relevant.status && !relevant.progress && !relevant.metadata && !relevant.stored) return
    for (const id of await this.followerIds()) await jobProgress(this.env, id).mirror(id, relevant)
  }

  /** This job stops downloading (cancelled, deleted, over quota): the first follower takes over. */
  private async handOverFollowers(): Promise<void> {
    const s = this.state!
    if (s.leaderId) return
    const [heir, ...rest] = await this.followerIds(true)
    this.followers = null
    if (!heir) return
    const db = this.env.DB
    await db.batch([
      db.prepare('UPDATE jobs SET follows_job_id = NULL WHERE id = ?').bind(heir),
      db.prepare('UPDATE jobs SET follows_job_id = ? WHERE follows_job_id = ?').bind(heir, s.jobId),
    ])
    await jobProgress(this.env, heir).becomeLeader(heir)
    for (const id of rest) await jobProgress(this.env, id).setLeader(id, heir)
  }

  /** Called on the heir of a cancelled or deleted leader. */
  becomeLeader(jobId: string): Promise<void> {
    return this.queue.run(async () => {
      const s = await this.load(jobId)
      if (!s) return
      s.leaderId = null
      s.workerId = null
      await this.apply({ status: 'queued' }, { force: true })
      const row = (await getJobRow(this.env.DB, jobId))!
      await enqueueDispatch(this.env, row)
    })
  }

  setLeader(jobId: string, leaderId: string): Promise<void> {
    return this.queue.run(async () => {
      const s = await this.load(jobId)
      if (!s) return
      s.leaderId = leaderId
      this.save()
    })
  }

  private async detachFromLeader(): Promise<void> {
    const s = this.state!
    if (!s.leaderId) return
    s.leaderId = null
    await this.env.DB.prepare('UPDATE jobs SET follows_job_id = NULL WHERE id = ?')
      .bind(s.jobId)
      .run()
  }

  // ---- helpers ------------------------------------------------------------------------------

  private async quotaProblemFor(files: FileEntry[]): Promise<string | null> {
    const s = this.state!
    const user = await this.env.DB.prepare('SELECT plan_id FROM users WHERE id = ?')
      .bind(s.userId)
      .first<{ plan_id: 'free' }>()
    if (!user) return null
    const [plan, usage] = await Promise.all([
      getPlan(this.env.DB, user.plan_id),
      getUsage(this.env.DB, s.userId),
    ])
    const selected = s.selectedFiles ? new Set(s.selectedFiles) : null
    return (
      storageProblem(
        plan,
        usage,
        files.filter((f) => !selected || selected.has(f.index)),
      )?.message ?? null
    )
  }

  private async tellAgent(action: 'pause' | 'resume'): Promise<boolean> {
    const s = this.state!
    const agent = s.workerId ? await getAgent(this.env.DB, s.workerId) : null
    if (!isAgentHealthy(agent)) return false
    try {
      await callAgent(this.env, agent, agentProtocol[action], { jobId: s.jobId })
      return true
    } catch (error) {
      log.warn('agent_call_failed', {
        jobId: s.jobId,
        agentId: agent.id,
        path: agentProtocol[action].path,
        error: String(error),
      })
      return false
    }
  }

  /** Best effort: the agent may be gone, which is often why we stop it. */
  private async stopAgent(removeData: boolean): Promise<void> {
    const s = this.state!
    if (!s.workerId || s.leaderId) return
    const agent = await getAgent(this.env.DB, s.workerId)
    if (agent) {
      await callAgent(this.env, agent, agentProtocol.stop, { jobId: s.jobId, removeData }).catch(
        (error) =>
          log.warn('agent_stop_failed', {
            jobId: s.jobId,
            agentId: agent.id,
            error: String(error),
          }),
      )
    }
    s.workerId = null
  }

  private async armWatchdog(): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now() + AGENT_STALE_MS)
  }

  private async infohash(): Promise<string> {
    const row = await this.env.DB.prepare('SELECT infohash FROM jobs WHERE id = ?')
      .bind(this.state!.jobId)
      .first<string>('infohash')
    return row ?? ''
  }

  private save(): void {
    if (this.state) this.ctx.storage.kv.put('state', this.state)
  }

  /** The state, from memory, this object's storage, or (first use) the D1 row. */
  private async load(jobId: string, fromRow = false): Promise<ProgressState | null> {
    if (this.state && !fromRow) return this.state
    const stored = fromRow ? undefined : this.ctx.storage.kv.get<ProgressState>('state')
    if (stored) return (this.state = stored)
    const row = await getJobRow(this.env.DB, jobId)
    if (!row) return null
    this.state = stateFromRow(row, this.state?.seq ?? 0)
    this.save()
    return this.state
  }
}

function isWaitingForDispatch(status: JobStatus): boolean {
  return status === 'submitted' || status === 'queued'
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

function stateFromRow(row: JobRow, seq: number): ProgressState {
  return {
    ...EMPTY_PROGRESS,
    jobId: row.id,
    userId: row.user_id,
    status: row.status,
    selectedFiles: selectedFilesOf(row),
    awaitingFiles: row.awaiting_files === 1,
    storedBytes: row.stored_bytes,
    progressPct: row.progress_pct,
    bytesDownloaded: row.bytes_downloaded,
    bytesTotal: row.bytes_total,
    lastHeartbeat: row.updated_at,
    workerId: row.agent_id,
    attempt: row.attempt,
    attemptBase: 0,
    lastAgentSeq: row.last_agent_seq,
    seq,
    persistedAt: row.updated_at,
    leaderId: row.follows_job_id,
  }
}

export function jobProgress(env: Env, jobId: string): DurableObjectStub<JobProgressDO> {
  return env.JOB_PROGRESS.get(env.JOB_PROGRESS.idFromName(jobId))
}
