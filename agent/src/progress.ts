import type { AgentCallback, AgentJobRecord, AgentJobStatus } from '@tseeder/shared'
import { fileWithIndex } from './metadata-gate.ts'
import type { EngineProgress } from './engine/torrent-engine.ts'

type ProgressUpdate = Extract<AgentCallback, { type: 'progress_update' }>
export type ProgressPhase = ProgressUpdate['phase']

/** Where a job stands, in bytes of its selected files. */
export interface JobProgress {
  total: number
  /** Bytes stored, plus bytes verified on disk of files not stored yet. */
  done: number
  /** Bytes in object storage, counting parts of files still uploading. */
  uploaded: number
  pct: number
  /** The engine's numbers for the files not stored yet; null before metadata. */
  live: EngineProgress | null
}

/** Selected files whose bytes are not in storage yet. */
export function pendingFiles(record: AgentJobRecord): number[] {
  return (record.selected ?? []).filter((i) => !record.uploaded[i])
}

/**
 * A job's progress from its record, the engine's numbers for its pending files and the bytes
 * each file's upload has stored so far.
 */
export function progressOf(
  record: AgentJobRecord,
  live: EngineProgress | null,
  uploadedBytes: ReadonlyMap<number, number>,
): JobProgress {
  const selected = record.selected ?? []
  const files = record.files ?? []
  const sizeOf = (i: number) => fileWithIndex(files, i)?.size ?? 0
  const total = selected.reduce((sum, i) => sum + sizeOf(i), 0)
  const stored = selected.filter((i) => record.uploaded[i]).reduce((sum, i) => sum + sizeOf(i), 0)
  const done = Math.min(total, stored + (live?.bytesDone ?? 0))
  const uploaded = selected.reduce(
    (sum, i) => sum + (uploadedBytes.get(i) ?? (record.uploaded[i] ? sizeOf(i) : 0)),
    0,
  )
  const pct = total > 0 ? Math.min(100, (done / total) * 100) : 0
  return { total, done, uploaded, pct, live }
}

/**
 * Downloaded bytes of each selected file: its size once stored, else what the engine verified
 * (0 before metadata, or from an engine that does not count per file).
 */
export function fileBytesOf(
  record: AgentJobRecord,
  live: EngineProgress | null,
): Map<number, number> {
  const files = record.files ?? []
  return new Map(
    (record.selected ?? []).map((i) => [
      i,
      record.uploaded[i] ? (fileWithIndex(files, i)?.size ?? 0) : (live?.fileBytes?.get(i) ?? 0),
    ]),
  )
}

/**
 * The files of `current` whose bytes differ from what was last `sent` (which it updates), as
 * `{ fileIndex: bytes }`: a report carries only these, so a thousand-file torrent does not
 * resend them all every time.
 */
export function changedFileBytes(
  current: ReadonlyMap<number, number>,
  sent: Map<number, number>,
): Record<string, number> {
  const changed: Record<string, number> = {}
  for (const [index, bytes] of current) {
    if (sent.get(index) === bytes) continue
    changed[index] = bytes
    sent.set(index, bytes)
  }
  return changed
}

/** The phase a progress report names for a job in `status`. */
export function phaseOf(status: AgentJobStatus): ProgressPhase {
  if (status === 'metadata_fetch' || status === 'uploading') return status
  return 'downloading'
}

/**
 * The `progress_update` callback for a job's progress (speeds and ETA rounded), with the files
 * whose bytes changed (see {@link changedFileBytes}) when there are any.
 */
export function progressUpdate(
  progress: JobProgress,
  phase: ProgressPhase,
  fileBytes: Record<string, number> = {},
): Omit<ProgressUpdate, 'jobId' | 'seq' | 'attempt'> {
  const { total, done, uploaded, pct, live } = progress
  const speed = live?.downloadSpeed ?? 0
  return {
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
    ...(Object.keys(fileBytes).length ? { fileBytes } : {}),
  }
}

/** When a job's verified bytes last moved. `lastDone` is -1 before the first look. */
export interface StallWatch {
  lastDone: number
  lastChange: number
}

export function freshWatch(now: number): StallWatch {
  return { lastDone: -1, lastChange: now }
}

export interface TickVerdict {
  watch: StallWatch
  /** Still downloading, and nothing arrived for longer than the stall timeout. */
  stalled: boolean
  /** Every selected byte is verified: the job moves from downloading to uploading. */
  downloaded: boolean
}

/** What one progress tick decides for a job, from its status, its progress and the time. */
export function tickVerdict(
  watch: StallWatch,
  status: AgentJobStatus,
  { done, total }: Pick<JobProgress, 'done' | 'total'>,
  now: number,
  stallTimeoutMs: number,
): TickVerdict {
  const downloading = status === 'downloading'
  if (done !== watch.lastDone) {
    watch = { lastDone: done, lastChange: now }
  } else if (downloading && done < total && now - watch.lastChange > stallTimeoutMs) {
    return { watch, stalled: true, downloaded: false }
  }
  return { watch, stalled: false, downloaded: downloading && total > 0 && done >= total }
}
