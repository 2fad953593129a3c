import { DurableObject } from 'cloudflare:workers'
import type { JobEvent } from '@tseeder/shared'
import { appendFeedEvent, createFeedTable, deleteFeedUpTo, feedAfter } from '../db/feed.ts'
import type { AuditRecord } from '../db/audit.ts'
import {
  liveCredential,
  openSessionAudited,
  revokeAllSessions,
  revokeSession,
  type NewSession,
  type RevokeReason,
} from '../db/sessions.ts'
import { readCredentialAndJobs } from '../db/own-jobs.ts'
import { log } from '../lib/log.ts'
import { SerialQueue } from '../lib/serial.ts'
import { writeMetric } from '../metrics/points.ts'
import { encodeEvent, type HubEvent, SseHub } from '../lib/sse-hub.ts'
import type { ListJobsQuery } from '@tseeder/shared'
import { type Credential, type JobsRead, UserReads } from './user-reads.ts'

/** Events the user feed keeps for `Last-Event-ID` resumption. */
const FEED_REPLAY = 500

/**
 * One per user: that user's presence. It opens and closes the user's device sessions (D1 holds
 * the rows every request reads; this object serialises changes, so two logins at once cannot
 * both slip under the plan's session limit) and serves the user's live streams: `GET /api/events`,
 * carrying every job event of the user, and each job's own `GET /api/jobs/:id/events`, relayed
 * from the job's `JobProgressDO`: its replay is fetched there, its live events come in `publish`. Every stream is tagged with the credential (session or API
 * token) that opened it, so ending a credential here (sign-out, revocation, eviction,
 * suspension) ends all of its streams, the job streams included: the job objects themselves
 * know nothing of credentials.
 */
export class UserSessionDO extends DurableObject<Env> {
  private readonly queue = new SerialQueue()
  /** The job list's D1 reads, kept until something they read changes. */
  private readonly reads = new UserReads()
  /** When the sessions with open streams expire (API tokens do not). */
  private readonly expiries = new Map<string, number>()
  private readonly hub = new SseHub(({ change, relayed, open, openMs }) =>
    writeMetric(this.env, {
      kind: 'sse_streams',
      stream: relayed ? 'job' : 'user',
      change,
      open,
      openMs,
    }),
  )

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    createFeedTable(ctx.storage.sql)
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.run(task)
  }

  /** Appends a job event to the user's feed and sends it to every open stream. */
  async publish(event: JobEvent): Promise<void> {
    const sql = this.ctx.storage.sql
    const id = appendFeedEvent(sql, event.type, event)
    if (id % 100 === 0) deleteFeedUpTo(sql, id - FEED_REPLAY)
    this.hub.broadcast({ id, type: event.type, data: event })
    // The job's own streams, numbered as the job numbers its events (as its replay is).
    if (this.hub.count(event.jobId) > 0)
      this.hub.send(event.jobId, encodeEvent({ id: event.seq, type: event.type, data: event }))
  }

  /**
   * `GET /api/jobs` for `authenticate`: the caller behind `credential` and a page of their jobs,
   * as kept since the last change (no D1 round trip) or read now and kept. `row` is null when the
   * credential is not open, or is not this user's (`userId`: whom the Worker took it to be).
   */
  async readJobs(userId: string, credential: Credential, query: ListJobsQuery): Promise<JobsRead> {
    const now = Date.now()
    const kept = this.reads.answer(credential, query, now)
    if (kept) return kept
    const version = this.reads.version
    const { row, page } = await readCredentialAndJobs(this.env.DB, credential, query, now)
    writeMetric(this.env, { kind: 'list_read', via: credential.via, ms: Date.now() - now })
    if (!row || row.id !== userId) return { row: null, page: null }
    this.reads.keep(version, credential, query, { row, page }, now)
    return { row, page }
  }

  /**
   * Something the job list reads changed in D1 (one of the user's jobs, their row): the kept
   * reads are forgotten. Writers call it after their write, through `forgetReads`.
   */
  async changed(): Promise<void> {
    this.reads.forget()
  }

  /** The job was deleted: its streams end (a reconnecting client then hears 404). */
  async closeJobStreams(jobId: string): Promise<void> {
    this.hub.closeChannel(jobId)
  }

  /**
   * `GET /api/events` (`jobId` null) or that job's `GET /api/jobs/:id/events`, for the Worker once
   * it has authenticated the user (and checked that the job is theirs): the stream's body, or null
   * when `credential` (the session or token that opens it, which tags it) has ended meanwhile.
   * Returned over RPC, not as a `fetch` response: each event then crosses to the Worker as bytes
   * on the RPC stream, with no subrequest (and, under `wrangler dev`, no DevTools network event
   * per chunk per stream).
   */
  async openStream(
    credential: string,
    lastEventId: string,
    jobId: string | null,
  ): Promise<ReadableStream<Uint8Array> | null> {
    const stream = jobId
      ? await this.jobStream(jobId, lastEventId, credential)
      : this.hub.subscribe(this.replay(Number(lastEventId)), credential)
    // Registered first, checked second: a revocation either reached D1 before this check, or it
    // calls close() after the stream is registered. Either way the stream does not outlive it.
    const live = await liveCredential(this.env.DB, credential, Date.now())
    if (!live) {
      this.hub.close(credential)
      await stream.cancel().catch(() => undefined)
      return null
    }
    if (live.until !== null) await this.closeAt(credential, live.until)
    // Through a pipe: a client that leaves cancels the RPC stream, which fails the pipe's next
    // write (the next event, or the keep-alive within 20 s), which cancels the hub's stream and
    // drops it. The hub's own stream, sent as it is, would be left open and fill up.
    return stream.pipeThrough(new IdentityTransformStream())
  }

  /** Ends the streams of `credential` at `at` (its session's expiry), with the object's alarm. */
  private async closeAt(credential: string, at: number): Promise<void> {
    this.expiries.set(credential, at)
    const next = await this.ctx.storage.getAlarm()
    if (next === null || at < next) await this.ctx.storage.setAlarm(at)
  }

  /** Ends the streams of the sessions that have expired, and waits for the next expiry. */
  override async alarm(): Promise<void> {
    const now = Date.now()
    let next = Infinity
    for (const [credential, at] of this.expiries) {
      if (at > now) {
        next = Math.min(next, at)
        continue
      }
      this.hub.close(credential)
      this.expiries.delete(credential)
    }
    if (next !== Infinity) await this.ctx.storage.setAlarm(next)
  }

  private replay(lastId: number): HubEvent[] {
    if (!Number.isSafeInteger(lastId) || lastId <= 0) return []
    return feedAfter(this.ctx.storage.sql, lastId, FEED_REPLAY).map((row) => ({
      id: row.id,
      type: row.type,
      data: JSON.parse(row.data),
    }))
  }

  /**
   * A job's stream. Its live events come through `publish`, which the job's `JobProgressDO`
   * calls for each one anyway, so however many streams follow a job, each event reaches this
   * object once and is encoded once. The stream is registered before the job's replay is
   * fetched: each event reaches it in the replay or live (the hub skips what the replay held).
   */
  private async jobStream(
    jobId: string,
    lastEventId: string,
    tag: string,
  ): Promise<ReadableStream<Uint8Array>> {
    const { stream, start, end } = this.hub.open(tag, jobId)
    try {
      // `jobProgress()` is not imported, as job-progress.ts imports this module.
      const job = this.env.JOB_PROGRESS.get(this.env.JOB_PROGRESS.idFromName(jobId))
      start(await job.replay(Number(lastEventId)))
    } catch (error) {
      end()
      throw error
    }
    return stream
  }

  /**
   * Opens a session; when the user is now over `maxSessions`, the oldest are revoked in the same
   * transaction, which also writes the audit rows (`created`, and `evicted` for each one revoked).
   * Returns the ids it revoked.
   */
  openSession(
    session: NewSession,
    maxSessions: number | null,
    audit: { created: AuditRecord; evicted: AuditRecord },
  ): Promise<string[]> {
    return this.serialize(async () => {
      const ids = await openSessionAudited(this.env.DB, session, maxSessions, audit)
      if (ids.length > 0) this.reads.forget()
      for (const id of ids) this.hub.close(id)
      return ids
    })
  }

  /**
   * Revokes one of the user's sessions, its audit row in the same D1 batch; false when it is
   * not theirs or already closed (and nothing is audited).
   */
  revokeSession(
    userId: string,
    sessionId: string,
    reason: RevokeReason,
    audit: AuditRecord,
  ): Promise<boolean> {
    return this.serialize(async () => {
      const revoked = await revokeSession(this.env.DB, userId, sessionId, reason, Date.now(), audit)
      this.reads.forget()
      this.hub.close(sessionId)
      return revoked
    })
  }

  /**
   * The credential (a session id or an API token id) was closed in D1: its live streams end, and
   * the reads kept with it are forgotten.
   */
  async closeStreams(tag: string): Promise<void> {
    this.reads.forget()
    this.hub.close(tag)
  }

  /** Revokes every open session of the user (suspension); returns how many. */
  revokeAll(userId: string, reason: RevokeReason): Promise<number> {
    return this.serialize(async () => {
      const revoked = await revokeAllSessions(this.env.DB, userId, reason, Date.now())
      this.reads.forget()
      this.hub.close()
      return revoked
    })
  }
}

export function userSessions(env: Env, userId: string): DurableObjectStub<UserSessionDO> {
  return env.USER_SESSION.get(env.USER_SESSION.idFromName(userId))
}

/**
 * Tells the user's object that the user's jobs or row changed in D1 (call it after the write): the
 * job list it keeps is read again. A failed notice is logged, not thrown, as the write it follows
 * is done; what the object kept then expires within `KEPT_READ_TTL`.
 */
export async function forgetReads(env: Env, userId: string): Promise<void> {
  try {
    await userSessions(env, userId).changed()
  } catch (error) {
    log.error('user_reads_not_forgotten', { userId, error: String(error) })
  }
}
