import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import { type AgentCallback, type AgentJobRecord, isRunningStatus } from '@tseeder/shared'
import type { ApiClient } from './api-client.ts'
import { freeDiskBytes } from './disk.ts'
import type { EngineMetadata, EngineTorrent, TorrentEngine } from './engine/torrent-engine.ts'
import { jobSource } from './job-source.ts'
import { type JobStateStore, dropGrant } from './job-state.ts'
import type { Logger } from './log.ts'
import { checkMetadata, fileWithIndex, listFiles, selectionOf } from './metadata-gate.ts'
import type { Metrics } from './metrics.ts'
import {
  type JobProgress,
  type ProgressPhase,
  freshWatch,
  pendingFiles,
  phaseOf,
  progressOf,
  progressUpdate,
  changedFileBytes,
  fileBytesOf,
  tickVerdict,
} from './progress.ts'
import type { Reporter } from './reporter.ts'
import { type ParkReason, slotMove } from './slots.ts'
import type { TransferSlots } from './transfer-slots.ts'
import { type UploadPipelineOptions, uploadAll } from './upload-pipeline.ts'
import { GrantSource, createS3Client } from './upload.ts'

/** The agent's settings and services that every job run uses. */
export interface RunServices {
  dataDir: string
  diskReserveBytes: number
  metadataTimeoutMs: number
  stallTimeoutMs: number
  /** A job with no metadata, or whose bytes have not moved, for this long gives its slot back. */
  parkAfterMs: number
  progressIntervalMs: number
  /** Keep a torrent's private-network trackers and web seeds (local stacks and tests only). */
  privateNetworks: boolean
  state: JobStateStore
  reporter: Reporter
  api: ApiClient
  log: Logger
  metrics: Metrics
}

/** What every run shares: the agent's services, the upload pipeline and the current engine. */
export interface RunContext extends RunServices {
  uploads: UploadPipelineOptions
  slots: TransferSlots
  /** The engine in use now: it is replaced when it breaks. */
  engine(): TorrentEngine
  jobDir(jobId: string): string
  /** A run started or ended: the active-jobs gauge is out of date. */
  activeChanged(): void
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
type JobEvent = DistributiveOmit<AgentCallback, 'jobId' | 'seq' | 'attempt'>

/**
 * One job on this agent, from adding its torrent to its last callback: checks the metadata,
 * runs the uploads, watches progress and stalls, and reports every step with the next `seq`.
 * Each launch is a generation; work of an older generation (paused, torn down, replaced after an
 * engine restart) stops at its next step and reports nothing.
 */
export class JobRun {
  torrent: EngineTorrent | null = null
  /** Null for a record whose grant was dropped (completed or failed): it uploads nothing more. */
  private readonly grants: GrantSource | null = null
  private readonly s3: S3Client | null = null
  private uploads = new AbortController()
  private timers: NodeJS.Timeout[] = []
  private readonly uploadedBytes = new Map<number, number>()
  /** Each file's bytes as this launch last reported them (a new launch reports every file). */
  private sentFileBytes = new Map<number, number>()
  private watch = freshWatch(Date.now())
  private lastReceived = 0
  private fetchStart = Date.now()
  private generation = 0
  private emitting: Promise<void> = Promise.resolve()
  private readonly tickFailed = (error: Error) =>
    this.ctx.log.error({ jobId: this.jobId, err: error.message }, 'progress tick failed')

  constructor(
    readonly record: AgentJobRecord,
    private readonly ctx: RunContext,
  ) {
    const { storage } = record.start
    if (storage) {
      this.grants = new GrantSource(storage, record.start.jobId, ctx.api)
      this.s3 = createS3Client(this.grants)
    }
  }

  get jobId(): string {
    return this.record.start.jobId
  }

  progress(): JobProgress {
    const { torrent, record } = this
    const live = torrent?.metadata ? torrent.progress(pendingFiles(record)) : null
    return progressOf(record, live, this.uploadedBytes)
  }

  launch(): void {
    const generation = ++this.generation
    this.uploads = new AbortController()
    this.watch = freshWatch(Date.now())
    this.fetchStart = Date.now()
    this.lastReceived = 0
    this.sentFileBytes = new Map()
    this.ctx.activeChanged()
    void this.run(generation).catch((error: Error) => {
      if (this.generation !== generation) return
      void this.fail('internal_error', error.message, true)
    })
  }

  /** Stops every step of the current generation (timers, uploads); the torrent is left as is. */
  halt(): void {
    this.generation++
    this.clearTimers()
    this.uploads.abort()
  }

  /** Resolves once every callback handed out so far is in the outbox. */
  emitted(): Promise<void> {
    return this.emitting
  }

  /** Stops the torrent, uploads and timers of a job; bytes are deleted only with `removeData`. */
  async teardown({ removeData }: { removeData: boolean }): Promise<void> {
    this.halt()
    await this.ctx.engine().remove(this.jobId, { removeData })
    this.torrent = null
    this.ctx.slots.release(this.jobId)
    if (removeData) await rm(this.ctx.jobDir(this.jobId), { recursive: true, force: true })
    this.ctx.activeChanged()
  }

  async fail(code: string, message: string, retryable: boolean): Promise<void> {
    const { record, jobId } = this
    if (record.status === 'failed' || record.status === 'completed') return
    await this.teardown({ removeData: true })
    record.status = 'failed'
    record.error = { code, message }
    dropGrant(record)
    await this.ctx.state.save(record)
    this.ctx.metrics.jobErrors.inc({ code })
    this.ctx.log.warn({ jobId, code, message }, 'job failed')
    await this.emit({ type: 'failed', code, message, retryable })
  }

  private async run(generation: number): Promise<void> {
    const { record, jobId, ctx } = this
    if (record.files && record.selected && record.selected.every((i) => record.uploaded[i])) {
      await this.complete(generation)
      return
    }
    const dir = ctx.jobDir(jobId)
    await mkdir(dir, { recursive: true })
    const source = await jobSource(this.record.start, ctx.jobDir(jobId), ctx)
    if (this.generation !== generation) return
    const torrent = ctx.engine().add(jobId, source, dir)
    this.torrent = torrent
    torrent.on('error', (error: Error) => {
      if (this.generation !== generation) return
      ctx.log.error({ jobId, err: error.message }, 'torrent error')
      void this.fail('torrent_error', 'The torrent could not be downloaded.', true)
    })
    torrent.once('metadata', (metadata: EngineMetadata) => {
      if (this.generation !== generation) return
      void this.onMetadata(generation, metadata).catch((error: Error) => {
        if (this.generation !== generation) return
        void this.fail('internal_error', error.message, true)
      })
    })
    if (!torrent.metadata) {
      const timeoutMs = ctx.metadataTimeoutMs
      this.timers.push(
        setTimeout(() => {
          if (this.generation !== generation || this.torrent?.metadata) return
          void this.fail(
            'no_peers',
            `No peer sent the torrent's metadata within ${Math.round(timeoutMs / 1000)} s.`,
            true,
          )
        }, timeoutMs),
      )
    }
    // A failed tick (a record write on a full disk) is logged; the next one tries again.
    const tick = () => void this.tick(generation).catch(this.tickFailed)
    this.timers.push(setInterval(tick, ctx.progressIntervalMs))
  }

  private async onMetadata(generation: number, metadata: EngineMetadata): Promise<void> {
    const { record, jobId, ctx } = this
    const first = record.files === null
    if (first) {
      const listing = listFiles(metadata, record.start)
      record.files = listing.files
      record.name = listing.name
      record.selected = listing.selected
      const verdict = checkMetadata(listing, record.start.limits, {
        freeBytes: await freeDiskBytes(ctx.dataDir),
        reserveBytes: ctx.diskReserveBytes,
      })
      if (!verdict.ok) {
        await this.fail(verdict.code, verdict.message, verdict.retryable)
        return
      }
      if (metadata.torrentFile) {
        await writeFile(join(ctx.jobDir(jobId), 'meta.torrent'), metadata.torrentFile)
      }
    }
    const selected = record.selected!
    const { files, total } = selectionOf(record.files!, selected)
    if (this.generation !== generation) return
    // Sent before the status moves on (it saves the record too), so no progress report of the
    // `downloading` phase can reach the outbox ahead of it.
    if (first) {
      await this.emit({
        type: 'metadata_ready',
        infohash: record.start.infohash,
        name: record.name ?? record.start.infohash,
        bytesTotal: total,
        files,
      })
    }
    if (this.generation !== generation) return
    if (record.status === 'metadata_fetch') record.status = 'downloading'
    await ctx.state.save(record)
    if (this.generation !== generation) return
    const { grants, s3 } = this
    if (!grants || !s3) {
      await this.fail('internal_error', 'The job has no storage grant to upload with.', true)
      return
    }
    const pending = pendingFiles(record)
    const torrent = this.torrent!
    if (ctx.slots.hold(jobId)?.kind === 'parked') this.wantSlot()
    else torrent.select(pending)
    ctx.log.info({ jobId, files: pending.length, bytes: total }, 'metadata checked, downloading')
    const stored = await uploadAll(
      {
        record,
        torrent,
        grants,
        s3,
        signal: this.uploads.signal,
        uploadedBytes: this.uploadedBytes,
        isCurrent: () => this.generation === generation,
        fail: (code, message, retryable) => this.fail(code, message, retryable),
      },
      ctx.uploads,
      pending,
    )
    if (stored) await this.complete(generation)
  }

  private async complete(generation: number): Promise<void> {
    const { record, jobId, ctx } = this
    this.clearTimers()
    await this.emitProgress('uploading')
    record.status = 'completed'
    dropGrant(record)
    await ctx.state.save(record)
    // The slot is free before the API hears of the completion: it fills the slot at once, and a
    // /start arriving before the release would be refused as "no room".
    ctx.slots.release(jobId)
    await this.emit({
      type: 'completed',
      files: record.selected!.map((i) => {
        const f = fileWithIndex(record.files!, i)!
        const u = record.uploaded[i]!
        return {
          index: i,
          path: f.path,
          size: f.size,
          key: u.key,
          mimeType: u.mimeType,
          crc32: u.crc32,
        }
      }),
    })
    if (this.generation === generation) this.generation++
    await ctx.engine().remove(jobId, { removeData: true })
    this.torrent = null
    await rm(ctx.jobDir(jobId), { recursive: true, force: true })
    ctx.activeChanged()
    ctx.log.info({ jobId, files: record.selected!.length }, 'job completed')
  }

  private async tick(generation: number): Promise<void> {
    if (this.generation !== generation) return
    const { record, jobId, ctx } = this
    const progress = this.progress()
    if (progress.live) {
      ctx.metrics.bytesDownloaded.inc(Math.max(0, progress.live.received - this.lastReceived))
      this.lastReceived = progress.live.received
    }
    const now = Date.now()
    const hold = ctx.slots.hold(jobId)
    // Waiting for a slot is the agent's doing, not the swarm's: the stall clock restarts with it.
    const forSlot = hold?.kind === 'parked' && hold.reason === 'transfer_slot'
    const stallMs = forSlot ? Infinity : ctx.stallTimeoutMs
    const verdict = tickVerdict(this.watch, record.status, progress, now, stallMs)
    this.watch = verdict.watch
    if (verdict.stalled) {
      const seconds = Math.round(ctx.stallTimeoutMs / 1000)
      await this.fail('stalled', `No data arrived for ${seconds} s.`, true)
      return
    }
    const { torrent } = this
    const move =
      hold &&
      slotMove(
        hold,
        {
          status: record.status,
          hasMetadata: Boolean(torrent?.metadata),
          fetchStart: this.fetchStart,
          lastByte: this.watch.lastChange,
          done: progress.done,
          total: progress.total,
          usefulPeers:
            hold.kind === 'parked' && hold.reason === 'peers' && torrent?.metadata
              ? torrent.peersWithPieces(pendingFiles(record))
              : 0,
        },
        now,
        ctx,
      )
    if (move && 'park' in move) {
      ctx.slots.park(jobId, move.park)
      torrent?.select([])
      ctx.log.info({ jobId, reason: move.park.reason }, 'job parked, transfer slot given back')
      await this.emitProgress(phaseOf(record.status))
      return
    }
    if (move) {
      this.wantSlot()
      return
    }
    if (verdict.downloaded) {
      record.status = 'uploading'
      await ctx.state.save(record)
    }
    if (ctx.reporter.hasPending(jobId, 'progress_update')) return
    await this.emitProgress(phaseOf(record.status))
  }

  /**
   * The agent gave this parked job a transfer slot: it selects its pending files again (once its
   * metadata passed the checks) and says so at once.
   */
  slotGranted(from: ParkReason): void {
    const { record, torrent } = this
    if (!isRunningStatus(record.status)) return
    if (from === 'transfer_slot') this.watch = { ...this.watch, lastChange: Date.now() }
    if (torrent?.metadata && record.status !== 'metadata_fetch') {
      torrent.select(pendingFiles(record))
    }
    this.ctx.log.info({ jobId: this.jobId, from }, 'job took a transfer slot')
    void this.emitProgress(phaseOf(record.status)).catch(() => {})
  }

  /** Can move bytes again: takes a free slot (see {@link slotGranted}) or waits for one. */
  private wantSlot(): void {
    if (this.ctx.slots.want(this.jobId)) return
    this.torrent?.select([])
    void this.emitProgress(phaseOf(this.record.status)).catch(() => {})
  }

  private emitProgress(phase: ProgressPhase): Promise<void> {
    const waiting = this.ctx.slots.waiting(this.jobId)
    const progress = this.progress()
    const fileBytes = changedFileBytes(fileBytesOf(this.record, progress.live), this.sentFileBytes)
    return this.emit({ ...progressUpdate(progress, phase, fileBytes), waiting })
  }

  /** Allocates the next `seq` (persisted first, so a crash can skip a number but never reuse one). */
  private emit(event: JobEvent): Promise<void> {
    const { record } = this
    // Chained per job so seqs reach the outbox in the order they were handed out.
    const next = this.emitting.then(async () => {
      record.seq += 1
      await this.ctx.state.save(record)
      await this.ctx.reporter.enqueue({
        ...event,
        jobId: record.start.jobId,
        seq: record.seq,
        attempt: record.start.attempt,
      } as AgentCallback)
    })
    this.emitting = next.catch(() => {})
    return next
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers = []
  }
}
