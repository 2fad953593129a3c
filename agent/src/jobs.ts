import { createReadStream } from 'node:fs'
import { mkdir, rm, writeFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import {
  type AgentCallback,
  type AgentStartBody,
  parseMagnet,
  sanitizePathSegment,
  sanitizeTorrentPaths,
} from '@tseeder/shared'
import { mimeTypeOf } from '@tseeder/shared/mime'
import { parseTorrentFile } from '@tseeder/shared/torrent'
import type { ApiClient } from './api-client.ts'
import { freeDiskBytes } from './disk.ts'
import { withPublicEndpoints } from './engine/network-policy.ts'
import type {
  EngineMetadata,
  EngineTorrent,
  TorrentEngine,
  TorrentSource,
} from './engine/torrent-engine.ts'
import { isSafeJobId, type JobRecord, type JobStateStore, type JobStatus } from './job-state.ts'
import type { Logger } from './log.ts'
import type { Metrics } from './metrics.ts'
import { PartSlots, uploadWhileDownloading } from './multipart.ts'
import type { Reporter } from './reporter.ts'
import { GrantSource, alreadyUploaded, createS3Client, objectKey, uploadFile } from './upload.ts'

/**
 * Parts in memory at once (× 8 MiB) for the whole agent, shared by every job and file: memory
 * stays flat however many jobs run, and the store's bandwidth, not part count, is the limit.
 */
const PARTS_IN_FLIGHT = 4
const FILES_IN_FLIGHT = 3
const ACTIVE: readonly JobStatus[] = ['metadata_fetch', 'downloading', 'uploading']
const UPLOAD_ATTEMPTS = 3
const TERMINAL_RETENTION_MS = 24 * 60 * 60_000

export interface JobManagerOptions {
  dataDir: string
  maxJobs: number
  diskReserveBytes: number
  metadataTimeoutMs: number
  stallTimeoutMs: number
  progressIntervalMs: number
  streamUpload: boolean
  /** Keep a torrent's private-network trackers and web seeds (local stacks and tests only). */
  privateNetworks: boolean
  engineFactory: () => TorrentEngine
  state: JobStateStore
  reporter: Reporter
  api: ApiClient
  log: Logger
  metrics: Metrics
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

interface Runtime {
  record: JobRecord
  torrent: EngineTorrent | null
  grants: GrantSource
  s3: S3Client
  uploads: AbortController
  timers: NodeJS.Timeout[]
  uploadedBytes: Map<number, number>
  lastDone: number
  lastChange: number
  lastReceived: number
  pipeline: Promise<void> | null
  generation: number
  emitting: Promise<void>
}

export interface JobView {
  jobId: string
  infohash: string
  status: JobStatus
  progressPct: number
}

function record(runtime: Runtime): JobRecord {
  return runtime.record
}

/** Resolves at the next verified piece, after a second at most, or when uploads are aborted. */
function nextVerified(torrent: EngineTorrent, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      torrent.off('verified', done)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, 1000)
    torrent.once('verified', done)
    signal.addEventListener('abort', done, { once: true })
  })
}

function jobIdOf(record: JobRecord): string {
  return record.start.jobId
}

/**
 * Runs jobs: adds torrents to the engine, checks metadata against the job's limits before a
 * byte is downloaded, streams files to object storage, reports to the API through the outbox and
 * persists everything needed to resume after a crash.
 */
export class JobManager {
  private engine: TorrentEngine
  private readonly jobs = new Map<string, Runtime>()
  private readonly partSlots = new PartSlots(PARTS_IN_FLIGHT)
  private accepting = true

  constructor(private readonly o: JobManagerOptions) {
    this.engine = o.engineFactory()
  }

  jobDir(jobId: string): string {
    return join(this.o.dataDir, 'jobs', jobId)
  }

  get activeCount(): number {
    return [...this.jobs.values()].filter((r) => ACTIVE.includes(r.record.status)).length
  }

  /** Loads persisted jobs and resumes every unfinished one. */
  async recover(): Promise<void> {
    for (const record of await this.o.state.loadAll()) {
      const runtime = this.runtimeFor(record)
      const jobId = jobIdOf(record)
      if (ACTIVE.includes(record.status)) {
        this.o.log.info({ jobId, status: record.status }, 'resuming job after restart')
        this.jobs.set(jobId, runtime)
        this.launch(runtime)
      } else if (
        record.status === 'paused' ||
        Date.now() - Date.parse(record.updatedAt) < TERMINAL_RETENTION_MS
      ) {
        this.jobs.set(jobId, runtime)
      } else {
        await this.o.state.remove(jobId)
      }
    }
    this.o.metrics.activeJobs.set(this.activeCount)
  }

  view(jobId: string): JobView | null {
    const runtime = this.jobs.get(jobId)
    return runtime ? this.viewOf(runtime) : null
  }

  list(): JobView[] {
    return [...this.jobs.values()].map((r) => this.viewOf(r))
  }

  files(jobId: string) {
    const runtime = this.jobs.get(jobId)
    if (!runtime) return null
    const { record } = runtime
    const selected = new Set(record.selected ?? [])
    return (record.files ?? [])
      .filter((f) => selected.has(f.index))
      .map((f) => ({
        ...f,
        uploaded: Boolean(record.uploaded[f.index]),
        key: record.uploaded[f.index]?.key ?? null,
      }))
  }

  async start(body: AgentStartBody): Promise<JobView> {
    if (!isSafeJobId(body.jobId)) {
      throw new JobError(400, 'bad_request', 'jobId may only hold letters, digits, - and _.')
    }
    const existing = this.jobs.get(body.jobId)
    if (existing) {
      const { record } = existing
      if (record.start.attempt === body.attempt) return this.viewOf(existing)
      if (ACTIVE.includes(record.status) || body.attempt < record.start.attempt) {
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
    if (this.activeCount >= this.o.maxJobs) {
      throw new JobError(503, 'at_capacity', `The agent already runs ${this.o.maxJobs} jobs.`)
    }
    await mkdir(this.o.dataDir, { recursive: true })
    if ((await freeDiskBytes(this.o.dataDir)) < this.o.diskReserveBytes) {
      throw new JobError(503, 'disk_full', 'The agent is out of disk space.')
    }
    await this.validateSource(body)

    const record: JobRecord = {
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
    await this.o.state.save(record)
    const runtime = this.runtimeFor(record)
    this.jobs.set(body.jobId, runtime)
    this.o.log.info(
      { jobId: body.jobId, attempt: body.attempt, infohash: body.infohash },
      'job accepted',
    )
    this.launch(runtime)
    return this.viewOf(runtime)
  }

  /** Stops transfer but keeps the job and its bytes. */
  async pause(jobId: string): Promise<JobView> {
    const runtime = this.require(jobId)
    if (ACTIVE.includes(runtime.record.status)) {
      await this.teardown(runtime, { removeData: false })
      runtime.record.status = 'paused'
      await this.o.state.save(runtime.record)
      this.o.log.info({ jobId }, 'job paused')
    }
    return this.viewOf(runtime)
  }

  async resume(jobId: string): Promise<JobView> {
    const runtime = this.require(jobId)
    if (runtime.record.status !== 'paused') return this.viewOf(runtime)
    if (this.activeCount >= this.o.maxJobs) {
      throw new JobError(503, 'at_capacity', `The agent already runs ${this.o.maxJobs} jobs.`)
    }
    runtime.record.status = runtime.record.files ? 'downloading' : 'metadata_fetch'
    await this.o.state.save(runtime.record)
    this.o.log.info({ jobId }, 'job resumed')
    this.launch(runtime)
    return this.viewOf(runtime)
  }

  /** Ends a job; with `removeData` its bytes and record are deleted, otherwise it is paused. */
  async stop(jobId: string, removeData: boolean): Promise<JobView> {
    if (!removeData) return this.pause(jobId)
    const runtime = this.require(jobId)
    const view = this.viewOf(runtime)
    await this.discard(runtime)
    this.o.log.info({ jobId }, 'job stopped and removed')
    return view
  }

  /** SIGTERM: refuse new jobs, stop transfers, keep every record so the next start resumes. */
  async shutdown(): Promise<void> {
    this.accepting = false
    for (const runtime of this.jobs.values()) {
      runtime.generation++
      this.clearTimers(runtime)
      runtime.uploads.abort()
    }
    await this.engine.destroy()
  }

  /**
   * Replaces a broken engine (an uncaught error inside webtorrent) with a new one and resumes
   * every active job from its persisted record, so no job is silently lost.
   */
  async restartEngine(reason: string): Promise<void> {
    this.o.log.error({ reason }, 'restarting the torrent engine')
    const active = [...this.jobs.values()].filter((r) => ACTIVE.includes(r.record.status))
    for (const runtime of active) {
      runtime.generation++
      this.clearTimers(runtime)
      runtime.uploads.abort()
      runtime.torrent = null
    }
    await this.engine.destroy().catch(() => {})
    this.engine = this.o.engineFactory()
    for (const runtime of active) {
      const fresh = this.runtimeFor(runtime.record)
      this.jobs.set(jobIdOf(runtime.record), fresh)
      this.launch(fresh)
    }
  }

  private require(jobId: string): Runtime {
    const runtime = this.jobs.get(jobId)
    if (!runtime) throw new JobError(404, 'not_found', `This agent has no job ${jobId}.`)
    return runtime
  }

  private async validateSource(body: AgentStartBody): Promise<void> {
    let infohash: string
    try {
      if (body.magnet) infohash = parseMagnet(body.magnet).infohash
      else infohash = (await parseTorrentFile(Buffer.from(body.torrentBase64!, 'base64'))).infohash
    } catch (error) {
      throw new JobError(
        400,
        body.magnet ? 'invalid_magnet' : 'invalid_torrent',
        (error as Error).message,
      )
    }
    if (infohash !== body.infohash.toLowerCase()) {
      throw new JobError(400, 'bad_request', 'The infohash does not match the magnet or .torrent.')
    }
  }

  private runtimeFor(record: JobRecord): Runtime {
    const grants = new GrantSource(record.start.storage, record.start.jobId, this.o.api)
    return {
      record,
      torrent: null,
      grants,
      s3: createS3Client(grants),
      uploads: new AbortController(),
      timers: [],
      uploadedBytes: new Map(),
      lastDone: -1,
      lastChange: Date.now(),
      lastReceived: 0,
      pipeline: null,
      generation: 0,
      emitting: Promise.resolve(),
    }
  }

  private viewOf(runtime: Runtime): JobView {
    const { record } = runtime
    return {
      jobId: record.start.jobId,
      infohash: record.start.infohash,
      status: record.status,
      progressPct: record.status === 'completed' ? 100 : this.progressOf(runtime).pct,
    }
  }

  private async sourceOf(runtime: Runtime): Promise<TorrentSource> {
    const source = await this.storedSourceOf(runtime)
    if (this.o.privateNetworks) return source
    const filtered = await withPublicEndpoints(source)
    if (filtered.dropped.length) {
      this.o.log.warn(
        { jobId: jobIdOf(runtime.record), dropped: filtered.dropped },
        'torrent endpoints on private networks dropped',
      )
    }
    return filtered.source
  }

  private async storedSourceOf(runtime: Runtime): Promise<TorrentSource> {
    const { start } = runtime.record
    try {
      return { torrent: await readFile(join(this.jobDir(start.jobId), 'meta.torrent')) }
    } catch {
      if (start.torrentBase64) return { torrent: Buffer.from(start.torrentBase64, 'base64') }
      return { magnet: parseMagnet(start.magnet!).magnet }
    }
  }

  private launch(runtime: Runtime): void {
    const generation = ++runtime.generation
    runtime.uploads = new AbortController()
    runtime.lastChange = Date.now()
    runtime.lastDone = -1
    runtime.lastReceived = 0
    this.o.metrics.activeJobs.set(this.activeCount)
    void this.run(runtime, generation).catch((error: Error) => {
      if (runtime.generation !== generation) return
      void this.fail(runtime, 'internal_error', error.message, true)
    })
  }

  private async run(runtime: Runtime, generation: number): Promise<void> {
    const { record } = runtime
    const jobId = jobIdOf(record)
    if (record.files && record.selected && record.selected.every((i) => record.uploaded[i])) {
      await this.complete(runtime, generation)
      return
    }
    const dir = this.jobDir(jobId)
    await mkdir(dir, { recursive: true })
    const source = await this.sourceOf(runtime)
    if (runtime.generation !== generation) return
    const torrent = this.engine.add(jobId, source, dir)
    runtime.torrent = torrent
    torrent.on('error', (error: Error) => {
      if (runtime.generation !== generation) return
      this.o.log.error({ jobId, err: error.message }, 'torrent error')
      void this.fail(runtime, 'torrent_error', 'The torrent could not be downloaded.', true)
    })
    torrent.once('metadata', (metadata: EngineMetadata) => {
      if (runtime.generation !== generation) return
      void this.onMetadata(runtime, generation, metadata).catch((error: Error) => {
        if (runtime.generation !== generation) return
        void this.fail(runtime, 'internal_error', error.message, true)
      })
    })
    if (!torrent.metadata) {
      runtime.timers.push(
        setTimeout(() => {
          if (runtime.generation !== generation || runtime.torrent?.metadata) return
          void this.fail(
            runtime,
            'no_peers',
            `No peer sent the torrent's metadata within ${Math.round(this.o.metadataTimeoutMs / 1000)} s.`,
            true,
          )
        }, this.o.metadataTimeoutMs),
      )
    }
    runtime.timers.push(
      setInterval(() => void this.tick(runtime, generation), this.o.progressIntervalMs),
    )
  }

  private async onMetadata(
    runtime: Runtime,
    generation: number,
    metadata: EngineMetadata,
  ): Promise<void> {
    const { record } = runtime
    const jobId = jobIdOf(record)
    const first = record.files === null
    if (first) {
      const paths = sanitizeTorrentPaths(metadata.files.map((f) => f.segments))
      record.files = metadata.files.map((f) => ({
        index: f.index,
        path: paths[f.index]!,
        size: f.length,
      }))
      record.name = sanitizePathSegment(metadata.name) ?? record.start.infohash
      const wanted = record.start.selectedFiles
      record.selected = wanted
        ? [...new Set(wanted)].filter((i) => i < record.files!.length).sort((a, b) => a - b)
        : record.files.map((f) => f.index)
      if (record.selected.length === 0) {
        await this.fail(
          runtime,
          'invalid_selection',
          'None of the selected files exist in this torrent.',
          false,
        )
        return
      }
    }
    const files = record.files!
    const selected = record.selected!
    const selectedFiles = selected.map((i) => files[i]!)
    const total = selectedFiles.reduce((sum, f) => sum + f.size, 0)

    if (first) {
      const { maxFileBytes, remainingStorageBytes } = record.start.limits
      const tooBig =
        maxFileBytes === null ? undefined : selectedFiles.find((f) => f.size > maxFileBytes)
      if (tooBig) {
        await this.fail(
          runtime,
          'quota_exceeded',
          `File ${tooBig.index} is ${tooBig.size} bytes, over the plan's maximum file size of ${maxFileBytes} bytes.`,
          false,
        )
        return
      }
      if (remainingStorageBytes !== null && total > remainingStorageBytes) {
        await this.fail(
          runtime,
          'quota_exceeded',
          `The selected files total ${total} bytes, over the ${remainingStorageBytes} bytes of storage left on the plan.`,
          false,
        )
        return
      }
      const free = await freeDiskBytes(this.o.dataDir)
      if (free - total < this.o.diskReserveBytes) {
        await this.fail(
          runtime,
          'disk_full',
          'The agent has not enough free disk for this torrent.',
          true,
        )
        return
      }
      if (metadata.torrentFile) {
        await writeFile(join(this.jobDir(jobId), 'meta.torrent'), metadata.torrentFile)
      }
    }
    if (runtime.generation !== generation) return
    if (record.status === 'metadata_fetch') record.status = 'downloading'
    await this.o.state.save(record)
    if (first) {
      await this.emit(runtime, {
        type: 'metadata_ready',
        infohash: record.start.infohash,
        name: record.name ?? record.start.infohash,
        bytesTotal: total,
        files: selectedFiles,
      })
    }
    if (runtime.generation !== generation) return
    const pending = selected.filter((i) => !record.uploaded[i])
    runtime.torrent!.select(pending)
    this.o.log.info({ jobId, files: pending.length, bytes: total }, 'metadata checked, downloading')
    runtime.pipeline = this.uploadAll(runtime, generation, pending)
    await runtime.pipeline
  }

  private async uploadAll(runtime: Runtime, generation: number, pending: number[]): Promise<void> {
    const torrent = runtime.torrent!
    if (!this.o.streamUpload && pending.some((i) => !torrent.fileDone(i))) {
      await new Promise<void>((resolve) => torrent.once('done', () => resolve()))
    }
    const slots = this.partSlots
    const queue = [...pending]
    const worker = async () => {
      for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
        if (runtime.generation !== generation) return
        await this.uploadOne(runtime, generation, index, slots)
      }
    }
    await Promise.all(Array.from({ length: Math.min(FILES_IN_FLIGHT, queue.length) }, worker))
    if (runtime.generation !== generation) return
    if (record(runtime).status === 'failed') return
    await this.complete(runtime, generation)
  }

  private async uploadOne(
    runtime: Runtime,
    generation: number,
    index: number,
    slots: PartSlots,
  ): Promise<void> {
    const { record } = runtime
    const jobId = jobIdOf(record)
    const file = record.files![index]!
    const grant = runtime.grants.current
    const key = objectKey(grant, index)
    const mimeType = mimeTypeOf(file.path)
    const torrent = runtime.torrent!
    if (await alreadyUploaded(runtime.s3, grant.bucket, key, file.size)) {
      this.o.log.info({ jobId, index }, 'file already in storage, not uploading again')
    } else {
      for (let attempt = 1; ; attempt++) {
        if (runtime.generation !== generation) return
        const started = process.hrtime.bigint()
        runtime.uploadedBytes.set(index, 0)
        try {
          if (this.o.streamUpload) {
            await uploadWhileDownloading({
              s3: runtime.s3,
              bucket: grant.bucket,
              key,
              contentType: mimeType,
              path: torrent.filePath(index),
              size: file.size,
              slots,
              ready: (start, end) => torrent.rangeReady(index, start, end),
              progressed: () => nextVerified(torrent, runtime.uploads.signal),
              signal: runtime.uploads.signal,
              onPartStored: (bytes) =>
                runtime.uploadedBytes.set(index, (runtime.uploadedBytes.get(index) ?? 0) + bytes),
            })
          } else {
            await uploadFile({
              s3: runtime.s3,
              bucket: grant.bucket,
              key,
              body: file.size === 0 ? new Uint8Array() : createReadStream(torrent.filePath(index)),
              size: file.size,
              contentType: mimeType,
              signal: runtime.uploads.signal,
              onProgress: (loaded) => runtime.uploadedBytes.set(index, loaded),
            })
          }
          this.o.metrics.uploadSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9)
          this.o.metrics.bytesUploaded.inc(file.size)
          break
        } catch (error) {
          if (runtime.generation !== generation) return
          this.o.log.warn({ jobId, index, attempt, err: (error as Error).message }, 'upload failed')
          if (attempt >= UPLOAD_ATTEMPTS) {
            await this.fail(runtime, 'upload_failed', 'The files could not be stored.', true)
            return
          }
          await new Promise((resolve) => setTimeout(resolve, 1000 * attempt))
        }
      }
    }
    if (runtime.generation !== generation) return
    record.uploaded[index] = { index, key, size: file.size, mimeType }
    runtime.uploadedBytes.set(index, file.size)
    await this.o.state.save(record)
    // The bytes are safe in storage; the local copy only costs disk from here on.
    await rm(torrent.filePath(index), { force: true })
  }

  private async complete(runtime: Runtime, generation: number): Promise<void> {
    const { record } = runtime
    const jobId = jobIdOf(record)
    this.clearTimers(runtime)
    await this.emitProgress(runtime, 'uploading')
    record.status = 'completed'
    await this.o.state.save(record)
    await this.emit(runtime, {
      type: 'completed',
      files: record.selected!.map((i) => {
        const f = record.files![i]!
        const u = record.uploaded[i]!
        return { index: i, path: f.path, size: f.size, key: u.key, mimeType: u.mimeType }
      }),
    })
    if (runtime.generation === generation) runtime.generation++
    await this.engine.remove(jobId, { removeData: true })
    runtime.torrent = null
    await rm(this.jobDir(jobId), { recursive: true, force: true })
    this.o.metrics.activeJobs.set(this.activeCount)
    this.o.log.info({ jobId, files: record.selected!.length }, 'job completed')
  }

  private async fail(
    runtime: Runtime,
    code: string,
    message: string,
    retryable: boolean,
  ): Promise<void> {
    const { record } = runtime
    if (record.status === 'failed' || record.status === 'completed') return
    const jobId = jobIdOf(record)
    await this.teardown(runtime, { removeData: true })
    record.status = 'failed'
    record.error = { code, message }
    await this.o.state.save(record)
    this.o.metrics.jobErrors.inc({ code })
    this.o.log.warn({ jobId, code, message }, 'job failed')
    await this.emit(runtime, { type: 'failed', code, message, retryable })
  }

  /** Stops the torrent, uploads and timers of a job; bytes are deleted only with `removeData`. */
  private async teardown(runtime: Runtime, { removeData }: { removeData: boolean }): Promise<void> {
    const jobId = jobIdOf(runtime.record)
    runtime.generation++
    this.clearTimers(runtime)
    runtime.uploads.abort()
    await this.engine.remove(jobId, { removeData })
    runtime.torrent = null
    if (removeData) await rm(this.jobDir(jobId), { recursive: true, force: true })
    this.o.metrics.activeJobs.set(this.activeCount)
  }

  private async discard(runtime: Runtime): Promise<void> {
    const jobId = jobIdOf(runtime.record)
    await this.teardown(runtime, { removeData: true })
    this.jobs.delete(jobId)
    await this.o.state.remove(jobId)
    this.o.metrics.activeJobs.set(this.activeCount)
  }

  private clearTimers(runtime: Runtime): void {
    for (const timer of runtime.timers) clearTimeout(timer)
    runtime.timers = []
  }

  private progressOf(runtime: Runtime) {
    const { record, torrent } = runtime
    const selected = record.selected ?? []
    const files = record.files ?? []
    const total = selected.reduce((sum, i) => sum + (files[i]?.size ?? 0), 0)
    const pendingIndexes = selected.filter((i) => !record.uploaded[i])
    const live = torrent?.metadata ? torrent.progress(pendingIndexes) : null
    const uploadedDone = selected
      .filter((i) => record.uploaded[i])
      .reduce((sum, i) => sum + (files[i]?.size ?? 0), 0)
    const done = Math.min(total, uploadedDone + (live?.bytesDone ?? 0))
    const uploaded = selected.reduce(
      (sum, i) => sum + (runtime.uploadedBytes.get(i) ?? (record.uploaded[i] ? files[i]!.size : 0)),
      0,
    )
    const pct = total > 0 ? Math.min(100, (done / total) * 100) : 0
    return { total, done, uploaded, pct, live }
  }

  private async tick(runtime: Runtime, generation: number): Promise<void> {
    if (runtime.generation !== generation) return
    const { record } = runtime
    const jobId = jobIdOf(record)
    const { done, total, live } = this.progressOf(runtime)
    if (live) {
      this.o.metrics.bytesDownloaded.inc(Math.max(0, live.received - runtime.lastReceived))
      runtime.lastReceived = live.received
    }
    const downloading = record.status === 'downloading' && done < total
    if (done !== runtime.lastDone) {
      runtime.lastDone = done
      runtime.lastChange = Date.now()
    } else if (downloading && Date.now() - runtime.lastChange > this.o.stallTimeoutMs) {
      await this.fail(
        runtime,
        'stalled',
        `No data arrived for ${Math.round(this.o.stallTimeoutMs / 1000)} s.`,
        true,
      )
      return
    }
    if (record.status === 'downloading' && total > 0 && done >= total) {
      record.status = 'uploading'
      await this.o.state.save(record)
    }
    if (this.o.reporter.hasPending(jobId, 'progress_update')) return
    await this.emitProgress(
      runtime,
      record.status === 'metadata_fetch'
        ? 'metadata_fetch'
        : record.status === 'uploading'
          ? 'uploading'
          : 'downloading',
    )
  }

  private async emitProgress(
    runtime: Runtime,
    phase: 'metadata_fetch' | 'downloading' | 'uploading',
  ): Promise<void> {
    const { total, done, uploaded, pct, live } = this.progressOf(runtime)
    const speed = live?.downloadSpeed ?? 0
    await this.emit(runtime, {
      type: 'progress_update',
      phase,
      progressPct: Math.round(pct * 100) / 100,
      bytesDownloaded: done,
      bytesTotal: total,
      downloadSpeed: Math.round(speed),
      uploadSpeed: Math.round(live?.uploadSpeed ?? 0),
      eta: speed > 0 ? Math.round((total - done) / speed) : null,
      peers: live?.peers ?? 0,
      seeds: live?.seeds ?? 0,
      bytesUploaded: uploaded,
    })
  }

  /** Allocates the next `seq` (persisted first, so a crash can skip a number but never reuse one). */
  private emit(
    runtime: Runtime,
    event: DistributiveOmit<AgentCallback, 'jobId' | 'seq' | 'attempt'>,
  ): Promise<void> {
    const { record } = runtime
    // Chained per job so seqs reach the outbox in the order they were handed out.
    const next = runtime.emitting.then(async () => {
      record.seq += 1
      await this.o.state.save(record)
      await this.o.reporter.enqueue({
        ...event,
        jobId: record.start.jobId,
        seq: record.seq,
        attempt: record.start.attempt,
      } as AgentCallback)
    })
    runtime.emitting = next.catch(() => {})
    return next
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
