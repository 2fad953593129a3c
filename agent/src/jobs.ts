import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type AgentFileEntry,
  type AgentJobRecord,
  type AgentJobView,
  type AgentStartBody,
  isRunningStatus,
  parseMagnet,
} from '@tseeder/shared'
import { parseTorrentFile } from '@tseeder/shared/torrent'
import { freeDiskBytes } from './disk.ts'
import type { TorrentEngine } from './engine/torrent-engine.ts'
import { JobRun, type RunContext, type RunServices } from './job-run.ts'
import { dropGrant, isSafeJobId } from './job-state.ts'
import { PartSlots } from './multipart.ts'
import { TransferSlots } from './transfer-slots.ts'

/**
 * Parts in memory at once (× 8 MiB) for the whole agent, shared by every job and file: memory
 * stays flat however many jobs run, and the store's bandwidth, not part count, is the limit.
 */
const PARTS_IN_FLIGHT = 4
const TERMINAL_RETENTION_MS = 24 * 60 * 60_000

export interface JobManagerOptions extends RunServices {
  /** Transfer slots. */
  maxJobs: number
  /** Parked jobs kept beside the transfer slots. */
  idleCapacity: number
  /** A transfer slot is free and no parked job took it (the agent tells the API at once). */
  onSlotFreed?: () => void
  streamUpload: boolean
  engineFactory: () => TorrentEngine
}

/** An error the HTTP layer turns into the shared error shape. */
export class JobError extends Error {
  override readonly name = 'JobError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** A job's state as `/status` and the job endpoints answer it. */
function viewOf(run: JobRun): AgentJobView {
  const { record } = run
  return {
    jobId: record.start.jobId,
    infohash: record.start.infohash,
    status: record.status,
    progressPct: record.status === 'completed' ? 100 : run.progress().pct,
  }
}

/** The selected files of a job, and which of them are in storage. */
function filesOf(record: AgentJobRecord): AgentFileEntry[] {
  const selected = new Set(record.selected ?? [])
  return (record.files ?? [])
    .filter((f) => selected.has(f.index))
    .map((f) => ({
      ...f,
      uploaded: Boolean(record.uploaded[f.index]),
      key: record.uploaded[f.index]?.key ?? null,
    }))
}

/**
 * The agent's jobs: accepts, pauses, resumes and stops them as the API asks, keeps each one's
 * {@link JobRun}, resumes them after a crash or an engine restart from their persisted records,
 * and refuses work beyond its capacity or disk.
 */
export class JobManager {
  private engine: TorrentEngine
  private readonly jobs = new Map<string, JobRun>()
  private readonly ctx: RunContext
  private readonly slots: TransferSlots
  private accepting = true

  constructor(private readonly o: JobManagerOptions) {
    this.engine = o.engineFactory()
    this.slots = new TransferSlots(
      { capacity: o.maxJobs, idleCapacity: o.idleCapacity },
      {
        granted: (jobId, from) => this.jobs.get(jobId)?.slotGranted(from),
        changed: ({ transfers, parked }) => {
          o.metrics.transfers.set(transfers)
          o.metrics.parkedJobs.set(parked)
        },
        freed: () => o.onSlotFreed?.(),
      },
    )
    this.ctx = {
      ...o,
      uploads: {
        streamUpload: o.streamUpload,
        slots: new PartSlots(PARTS_IN_FLIGHT),
        state: o.state,
        log: o.log,
        metrics: o.metrics,
      },
      slots: this.slots,
      engine: () => this.engine,
      jobDir: (jobId) => this.jobDir(jobId),
      activeChanged: () => o.metrics.activeJobs.set(this.activeCount),
    }
  }

  jobDir(jobId: string): string {
    return join(this.o.dataDir, 'jobs', jobId)
  }

  get activeCount(): number {
    return [...this.jobs.values()].filter((r) => isRunningStatus(r.record.status)).length
  }

  /** The agent's load as heartbeats and `/status` report it. */
  load() {
    const { transfers, parked } = this.slots.counts()
    return {
      capacity: this.o.maxJobs,
      transfers,
      parkedJobs: parked,
      idleCapacity: this.o.idleCapacity,
      activeJobs: this.activeCount,
    }
  }

  /** Loads persisted jobs and resumes every unfinished one. */
  async recover(): Promise<void> {
    const records = await this.o.state.loadAll(({ file, reason }) =>
      this.o.log.error({ file, reason }, 'job record unreadable, not resumed'),
    )
    for (const record of records) {
      const { jobId } = record.start
      if (isRunningStatus(record.status)) {
        this.o.log.info({ jobId, status: record.status }, 'resuming job after restart')
        const run = new JobRun(record, this.ctx)
        this.jobs.set(jobId, run)
        this.slots.place(jobId, {
          hasMetadata: record.files !== null,
          metadataUntil: Date.now() + this.o.metadataTimeoutMs,
        })
        run.launch()
      } else if (
        record.status === 'paused' ||
        Date.now() - Date.parse(record.updatedAt) < TERMINAL_RETENTION_MS
      ) {
        // A finished record written by an older version still holds its grant: scrub it.
        if (record.status !== 'paused' && dropGrant(record)) await this.o.state.save(record)
        this.jobs.set(jobId, new JobRun(record, this.ctx))
      } else {
        await this.o.state.remove(jobId)
      }
    }
    this.ctx.activeChanged()
  }

  view(jobId: string): AgentJobView | null {
    const run = this.jobs.get(jobId)
    return run ? viewOf(run) : null
  }

  list(): AgentJobView[] {
    return [...this.jobs.values()].map(viewOf)
  }

  files(jobId: string): AgentFileEntry[] | null {
    const run = this.jobs.get(jobId)
    return run ? filesOf(run.record) : null
  }

  async start(body: AgentStartBody): Promise<AgentJobView> {
    if (!isSafeJobId(body.jobId)) {
      throw new JobError(400, 'bad_request', 'jobId may only hold letters, digits, - and _.')
    }
    const existing = this.jobs.get(body.jobId)
    if (existing) {
      const { record } = existing
      if (record.start.attempt === body.attempt) return viewOf(existing)
      if (isRunningStatus(record.status) || body.attempt < record.start.attempt) {
        throw new JobError(
          409,
          'conflict',
          `Job ${body.jobId} is already ${record.status} (attempt ${record.start.attempt}).`,
        )
      }
      await this.discard(existing)
    }
    if (!this.accepting) {
      throw new JobError(503, 'service_unavailable', 'The agent is shutting down.')
    }
    this.checkSameContent(body)
    this.checkCapacity()
    await mkdir(this.o.dataDir, { recursive: true })
    if ((await freeDiskBytes(this.o.dataDir)) < this.o.diskReserveBytes) {
      throw new JobError(503, 'disk_full', 'The agent is out of disk space.')
    }
    await checkSource(body)
    // Checked again, and the slot taken before the next await: other starts came meanwhile.
    this.checkCapacity()
    const record: AgentJobRecord = {
      start: body,
      status: 'metadata_fetch',
      seq: 0,
      files: null,
      name: null,
      selected: null,
      uploaded: {},
      error: null,
      updatedAt: new Date().toISOString(),
    }
    const run = new JobRun(record, this.ctx)
    this.jobs.set(body.jobId, run)
    this.slots.take(body.jobId)
    try {
      await this.o.state.save(record)
    } catch (error) {
      this.jobs.delete(body.jobId)
      this.slots.release(body.jobId)
      throw error
    }
    this.o.log.info(
      { jobId: body.jobId, attempt: body.attempt, infohash: body.infohash },
      'job accepted',
    )
    run.launch()
    return viewOf(run)
  }

  /** Stops transfer but keeps the job and its bytes. */
  async pause(jobId: string): Promise<AgentJobView> {
    const run = this.require(jobId)
    if (isRunningStatus(run.record.status)) {
      await run.teardown({ removeData: false })
      run.record.status = 'paused'
      await this.o.state.save(run.record)
      this.o.log.info({ jobId }, 'job paused')
    }
    return viewOf(run)
  }

  async resume(jobId: string): Promise<AgentJobView> {
    const run = this.require(jobId)
    if (run.record.status !== 'paused') return viewOf(run)
    this.checkSameContent(run.record.start)
    this.checkCapacity()
    this.slots.take(jobId)
    run.record.status = run.record.files ? 'downloading' : 'metadata_fetch'
    try {
      await this.o.state.save(run.record)
    } catch (error) {
      run.record.status = 'paused'
      this.slots.release(jobId)
      throw error
    }
    this.o.log.info({ jobId }, 'job resumed')
    run.launch()
    return viewOf(run)
  }

  /** Ends a job; with `removeData` its bytes and record are deleted, otherwise it is paused. */
  async stop(jobId: string, removeData: boolean): Promise<AgentJobView> {
    if (!removeData) return this.pause(jobId)
    const run = this.require(jobId)
    const view = viewOf(run)
    await this.discard(run)
    this.o.log.info({ jobId }, 'job stopped and removed')
    return view
  }

  /** SIGTERM: refuse new jobs, stop transfers, keep every record so the next start resumes. */
  async shutdown(): Promise<void> {
    this.accepting = false
    for (const run of this.jobs.values()) run.halt()
    // A report already on its way (saved, not yet queued) is queued before the outbox is flushed.
    await Promise.all([...this.jobs.values()].map((run) => run.emitted()))
    await this.engine.destroy()
  }

  /**
   * Replaces a broken engine (an uncaught error inside webtorrent) with a new one and resumes
   * every active job from its persisted record, so no job is silently lost.
   */
  async restartEngine(reason: string): Promise<void> {
    this.o.log.error({ reason }, 'restarting the torrent engine')
    const active = [...this.jobs.values()].filter((r) => isRunningStatus(r.record.status))
    for (const run of active) {
      run.halt()
      run.torrent = null
    }
    await this.engine.destroy().catch(() => {})
    this.engine = this.o.engineFactory()
    for (const run of active) {
      const fresh = new JobRun(run.record, this.ctx)
      this.jobs.set(run.jobId, fresh)
      fresh.launch()
    }
  }

  /**
   * The engine holds one torrent per content: a second job of content another job here downloads
   * would fail at once. "No room" instead: the API starts it on another agent, or later.
   */
  private checkSameContent(body: Pick<AgentStartBody, 'jobId' | 'infohash'>): void {
    for (const run of this.jobs.values()) {
      if (
        run.jobId === body.jobId ||
        run.record.start.infohash !== body.infohash ||
        !isRunningStatus(run.record.status)
      )
        continue
      throw new JobError(
        503,
        'at_capacity',
        `This agent is downloading the same content for job ${run.jobId}.`,
      )
    }
  }

  private checkCapacity(): void {
    const verdict = this.slots.admission()
    if (!verdict.ok) throw new JobError(503, verdict.code, verdict.message)
  }

  private require(jobId: string): JobRun {
    const run = this.jobs.get(jobId)
    if (!run) throw new JobError(404, 'not_found', `This agent has no job ${jobId}.`)
    return run
  }

  private async discard(run: JobRun): Promise<void> {
    await run.teardown({ removeData: true })
    this.jobs.delete(run.jobId)
    await this.o.state.remove(run.jobId)
    this.ctx.activeChanged()
  }
}

/** The magnet or .torrent must parse and name the infohash the API sent. */
async function checkSource(body: AgentStartBody): Promise<void> {
  const parsed = body.magnet
    ? parseMagnet(body.magnet)
    : await parseTorrentFile(Buffer.from(body.torrentBase64 ?? '', 'base64'))
  if (!parsed.ok) throw new JobError(400, parsed.code, parsed.message)
  const infohash = 'torrent' in parsed ? parsed.torrent.infohash : parsed.infohash
  if (infohash !== body.infohash.toLowerCase()) {
    throw new JobError(400, 'bad_request', 'The infohash does not match the magnet or .torrent.')
  }
}
