import {
  isDispatchStatus,
  type JobEvent,
  type JobProgressState,
  type JobStatus,
} from '@tseeder/shared'
import { writeMetric, type JobPhase, type MetricsEnv } from './points.ts'

/**
 * When the current run of a job reached each phase (Unix ms), as seen in the events its Durable
 * Object published. Kept beside the job's state; null where the run has not got there.
 */
export interface PhaseMarks {
  status: JobStatus | null
  /** Until the job's first dispatch. */
  submittedAt: number | null
  dispatchedAt: number | null
  agentId: string | null
  firstByteAt: number | null
  /** When the download ended: the agent turned to uploading. */
  downloadedAt: number | null
}

export const NO_MARKS: PhaseMarks = {
  status: null,
  submittedAt: null,
  dispatchedAt: null,
  agentId: null,
  firstByteAt: null,
  downloadedAt: null,
}

const NO_RUN = { dispatchedAt: null, agentId: null, firstByteAt: null, downloadedAt: null }

export interface TimedPhase {
  phase: JobPhase
  agentId: string
  ms: number
}

/**
 * The phases `event` ends, and the marks after it. A run is timed from its dispatch (a move out
 * of `submitted`/`queued` to an agent) to `completed`; a run that is paused, re-queued, fails or
 * is cancelled is dropped, and so is a follower's (its leader's run is the one timed).
 */
export function timePhases(
  marks: PhaseMarks,
  event: JobEvent,
  agentId: string | null,
): { marks: PhaseMarks; phases: TimedPhase[] } {
  const at = event.at ? Date.parse(event.at) : NaN
  if (Number.isNaN(at) || (event.type !== 'status' && event.type !== 'progress'))
    return { marks, phases: [] }
  const next = { ...marks }
  const phases: TimedPhase[] = []
  const timed = (phase: JobPhase, since: number) =>
    phases.push({ phase, agentId: next.agentId ?? '', ms: Math.max(0, at - since) })

  if (event.type === 'progress') {
    if (marks.dispatchedAt === null || marks.firstByteAt !== null || event.bytesDownloaded === 0)
      return { marks, phases }
    timed('dispatch_to_first_byte', marks.dispatchedAt)
    next.firstByteAt = at
    return { marks: next, phases }
  }

  const from = marks.status
  next.status = event.status
  switch (event.status) {
    case 'submitted':
      if (from === null) next.submittedAt = at
      break
    case 'metadata_fetch':
    case 'downloading':
      if (from !== null && isDispatchStatus(from) && agentId) {
        Object.assign(next, NO_RUN, { submittedAt: null, dispatchedAt: at, agentId })
        if (marks.submittedAt !== null) timed('submit_to_dispatch', marks.submittedAt)
      } else if (from === 'paused') Object.assign(next, NO_RUN)
      break
    case 'uploading':
      if (marks.firstByteAt !== null && marks.downloadedAt === null) {
        timed('download', marks.firstByteAt)
        next.downloadedAt = at
      }
      break
    case 'completed':
      // No `uploading` report: the upload is not known apart from the download.
      if (marks.downloadedAt !== null) timed('upload', marks.downloadedAt)
      else if (marks.firstByteAt !== null) timed('download', marks.firstByteAt)
      Object.assign(next, NO_RUN, { submittedAt: null })
      break
    case 'queued':
    case 'paused':
      Object.assign(next, NO_RUN)
      break
    case 'failed':
    case 'cancelled':
      Object.assign(next, NO_RUN, { submittedAt: null })
      break
  }
  return { marks: next, phases }
}

const MARKS_KEY = 'phase_marks'

/**
 * The metrics a job's Durable Object writes as it publishes events: how long each phase of the
 * job's run took (`job_phase`), and how long a status change took to reach its owner's streams
 * (`fanout`). The marks live in the object's storage, beside its state.
 */
export class JobMeter {
  constructor(
    private readonly kv: SyncKvStorage,
    private readonly env: MetricsEnv,
  ) {}

  /** `event` has just reached the job's streams and the owner's feed; `s` is the job's state. */
  published(event: JobEvent, s: JobProgressState | null): void {
    if (event.type !== 'progress' && event.at)
      writeMetric(this.env, {
        kind: 'fanout',
        jobId: event.jobId,
        event: event.type === 'status' ? `status:${event.status}` : event.type,
        ms: Math.max(0, Date.now() - Date.parse(event.at)),
      })
    if (s?.leaderId) return
    const before = this.kv.get<PhaseMarks>(MARKS_KEY) ?? NO_MARKS
    const { marks, phases } = timePhases(before, event, s?.workerId ?? null)
    if (marks !== before) this.kv.put(MARKS_KEY, marks)
    const bytes = s?.bytesTotal ?? 0
    for (const phase of phases)
      writeMetric(this.env, { kind: 'job_phase', jobId: event.jobId, ...phase, bytes })
  }
}
