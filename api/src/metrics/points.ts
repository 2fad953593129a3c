import { log } from '../lib/log.ts'

/** A request answered by the Worker: `route` is the matched route pattern, never the raw path. */
export interface RequestPoint {
  kind: 'request'
  method: string
  route: string
  status: number
  ms: number
}

/** A job left the dispatch line for an agent: how long it waited in line (`queued_at` → now). */
export interface QueueWaitPoint {
  kind: 'queue_wait'
  jobId: string
  agentId: string
  attempt: number
  ms: number
}

/**
 * One phase of a job's run, measured by its Durable Object from the events it publishes:
 * `submit_to_dispatch` (first dispatch only), `dispatch_to_first_byte`, `download` (first byte →
 * `uploading`, or → completed when the agent never reported uploading) and `upload` (`uploading`
 * → completed). `bytes`: the job's size, 0 while unknown.
 */
export interface JobPhasePoint {
  kind: 'job_phase'
  jobId: string
  phase: JobPhase
  agentId: string
  ms: number
  bytes: number
}

export type JobPhase = 'submit_to_dispatch' | 'dispatch_to_first_byte' | 'download' | 'upload'

/**
 * A job event (not progress) reached the job's own streams and its owner's feed: `ms` from the
 * moment it was decided to the moment the owner's `UserSessionDO` took it.
 */
export interface FanoutPoint {
  kind: 'fanout'
  jobId: string
  event: string
  ms: number
}

/** An SSE stream opened or closed on a user's `UserSessionDO` (`/api/events` or a job's stream). */
export interface SseStreamPoint {
  kind: 'sse_streams'
  stream: 'user' | 'job'
  change: 'open' | 'close'
  /** Streams open on that user's object after the change. */
  open: number
  /** How long a closed stream was open; 0 on `open`. */
  openMs: number
}

/**
 * The job list was read from D1: by the user's `UserSessionDO` (nothing kept for that credential
 * and view, or forgotten since a change), or by the Worker for a credential its isolate had not
 * seen. `ms`: the D1 round trip. A list answered from what the object kept writes none, so
 * `GET /api/jobs` requests minus these points are the kept answers.
 */
export interface ListReadPoint {
  kind: 'list_read'
  via: 'session' | 'token'
  ms: number
}

/** Bytes a `/dl/` request was charged for (and, streaming, delivered). */
export interface DownloadPoint {
  kind: 'download'
  mode: 'stream' | 'redirect'
  ranged: boolean
  planId: string
  bytes: number
}

export type MetricPoint =
  | RequestPoint
  | QueueWaitPoint
  | JobPhasePoint
  | FanoutPoint
  | SseStreamPoint
  | ListReadPoint
  | DownloadPoint

type Columns = { blobs: string[]; doubles: number[] }

/**
 * The one layout of every point in the Analytics Engine dataset (OBSERVABILITY.md "Worker
 * metrics" lists it for the queries): `index1` and `blob1` are the kind, the kind's labels follow
 * from `blob2`, its values from `double1`. Ids of jobs stay out of the dataset (cardinality); the
 * log line keeps them.
 */
const LAYOUT: { [K in MetricPoint['kind']]: (p: Extract<MetricPoint, { kind: K }>) => Columns } = {
  request: (p) => ({ blobs: [p.method, p.route, String(p.status)], doubles: [p.ms, p.status] }),
  queue_wait: (p) => ({ blobs: [p.agentId], doubles: [p.ms, p.attempt] }),
  job_phase: (p) => ({ blobs: [p.phase, p.agentId], doubles: [p.ms, p.bytes] }),
  fanout: (p) => ({ blobs: [p.event], doubles: [p.ms] }),
  sse_streams: (p) => ({
    blobs: [p.stream, p.change],
    doubles: [p.change === 'open' ? 1 : -1, p.open, p.openMs],
  }),
  list_read: (p) => ({ blobs: [p.via], doubles: [p.ms] }),
  download: (p) => ({
    blobs: [p.mode, p.ranged ? 'range' : 'whole', p.planId],
    doubles: [p.bytes],
  }),
}

/** Every kind of point, as laid out in the dataset. */
export const METRIC_KINDS = Object.keys(LAYOUT) as MetricPoint['kind'][]

/** The Analytics Engine data point of `point`, laid out as `LAYOUT` says. */
export function dataPointOf(point: MetricPoint): AnalyticsEngineDataPoint {
  const { blobs, doubles } = LAYOUT[point.kind](point as never)
  return { indexes: [point.kind], blobs: [point.kind, ...blobs], doubles }
}

/** Where points go: the `METRICS` dataset when it is bound. */
export type MetricsEnv = { METRICS?: AnalyticsEngineDataset } | undefined

/**
 * Records one point: always as a structured log line (`msg: "metric"`, the point's fields), and
 * in the `METRICS` Analytics Engine dataset when it is bound. Never throws: a metric is not
 * worth a failed request.
 *
 * @example
 * writeMetric(c.env, { kind: 'request', method: 'GET', route: '/api/jobs', status: 200, ms: 12 })
 */
export function writeMetric(env: MetricsEnv, point: MetricPoint): void {
  log.info('metric', { ...point })
  try {
    env?.METRICS?.writeDataPoint(dataPointOf(point))
  } catch (error) {
    log.warn('metric_write_failed', { kind: point.kind, error: String(error) })
  }
}
