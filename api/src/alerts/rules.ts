import { AGENT_STALE_MS, formatBytes, type AlertSeverity } from '@tseeder/shared'

// The alert rules, pure: from facts gathered by the cron (or an event as it happens) to the
// conditions that hold now, and from those and the open alerts to what opens and what resolves.

/** What each kind of alert is: its severity, its runbook (an OBSERVABILITY.md heading) and
 * whether it is raised by an event (opened where it happens; the cron only resolves it). */
export const ALERT_KINDS = {
  dispatch_dead_lettered: { severity: 'warning', runbook: 'dead-lettered-dispatch', event: true },
  dispatch_gave_up: { severity: 'warning', runbook: 'job-gave-up', event: true },
  job_gave_up: { severity: 'warning', runbook: 'job-gave-up', event: true },
  agent_stale: { severity: 'critical', runbook: 'stale-agent', event: false },
  agent_draining: { severity: 'info', runbook: 'draining-agent', event: false },
  queue_wait: { severity: 'warning', runbook: 'queue-wait-over-its-slo', event: false },
  fleet_storage: { severity: 'warning', runbook: 'fleet-storage-or-bandwidth', event: false },
  fleet_bandwidth: { severity: 'warning', runbook: 'fleet-storage-or-bandwidth', event: false },
  api_error_rate: { severity: 'critical', runbook: 'api-error-rate', event: false },
} as const satisfies Record<string, { severity: AlertSeverity; runbook: string; event: boolean }>
export type AlertKind = keyof typeof ALERT_KINDS

/** An event alert resolves by itself this long after it opened, if its job has not moved on. */
export const EVENT_ALERT_TTL_MS = 24 * 60 * 60 * 1000
/** The error-rate alert looks at this many past minutes of `/api/*` answers... */
export const ERROR_RATE_WINDOW_MINUTES = 10
/** ...and says nothing about fewer requests than this (one 500 in 3 requests is no outage). */
export const ERROR_RATE_MIN_REQUESTS = 20

/** A condition that holds now: an alert while it does. */
export interface AlertCondition {
  /** `kind:subject`: at most one open alert per key. */
  key: string
  kind: AlertKind
  subject: string
  severity: AlertSeverity
  message: string
  /** The OBSERVABILITY.md anchor of its runbook. */
  runbook: string
  /** The job it is about, if any (shown and linked in the admin tab). */
  jobId: string | null
}

/** Builds the condition of `kind` about `subject`. */
export function condition(
  kind: AlertKind,
  subject: string,
  message: string,
  jobId: string | null = null,
): AlertCondition {
  const { severity, runbook } = ALERT_KINDS[kind]
  return { key: `${kind}:${subject}`, kind, subject, severity, message, runbook, jobId }
}

/** Thresholds from the Worker's vars; null turns a rule off. */
export interface AlertConfig {
  queueWaitSeconds: number | null
  fleetStorageBytes: number | null
  fleetBandwidthBytes: number | null
  apiErrorRate: number | null
}

function positive(text: string | undefined): number | null {
  if (!text?.trim()) return null
  const value = Number(text)
  return Number.isFinite(value) && value > 0 ? value : null
}

/** The thresholds as configured (`ALERT_*` vars); empty, zero or unreadable values are off. */
export function alertConfig(
  vars: Partial<
    Record<
      | 'ALERT_QUEUE_WAIT_SECONDS'
      | 'ALERT_FLEET_STORAGE_BYTES'
      | 'ALERT_FLEET_BANDWIDTH_BYTES'
      | 'ALERT_API_ERROR_RATE',
      string
    >
  >,
): AlertConfig {
  return {
    queueWaitSeconds: positive(vars.ALERT_QUEUE_WAIT_SECONDS),
    fleetStorageBytes: positive(vars.ALERT_FLEET_STORAGE_BYTES),
    fleetBandwidthBytes: positive(vars.ALERT_FLEET_BANDWIDTH_BYTES),
    apiErrorRate: positive(vars.ALERT_API_ERROR_RATE),
  }
}

/** What the cron knows about the fleet when it evaluates the rules. */
export interface AlertFacts {
  now: number
  agents: { id: string; lastHeartbeatAt: number; heldJobs: number; draining: boolean }[]
  queue: { depth: number; oldestWaitSeconds: number | null }
  fleet: { storageBytes: number; bandwidthBytes: number }
  /** `/api/*` answers over the last {@link ERROR_RATE_WINDOW_MINUTES}. */
  requests: { requests: number; errors: number }
}

function minutes(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min`
}

/** The cron's conditions that hold now, given the facts and the thresholds. */
export function holdingConditions(facts: AlertFacts, config: AlertConfig): AlertCondition[] {
  const holding: AlertCondition[] = []
  for (const agent of facts.agents) {
    const silentMs = facts.now - agent.lastHeartbeatAt
    if (silentMs > AGENT_STALE_MS && agent.heldJobs > 0) {
      holding.push(
        condition(
          'agent_stale',
          agent.id,
          `Agent ${agent.id} has not reported for ${minutes(Math.floor(silentMs / 1000))} and still holds ${agent.heldJobs} job(s).`,
        ),
      )
    }
    if (agent.draining) {
      holding.push(
        condition(
          'agent_draining',
          agent.id,
          `Agent ${agent.id} is draining: it takes no new jobs (${agent.heldJobs} still on it).`,
        ),
      )
    }
  }
  const { oldestWaitSeconds, depth } = facts.queue
  if (
    config.queueWaitSeconds !== null &&
    oldestWaitSeconds !== null &&
    oldestWaitSeconds > config.queueWaitSeconds
  ) {
    holding.push(
      condition(
        'queue_wait',
        'line',
        `The oldest job in the dispatch line has waited ${minutes(oldestWaitSeconds)} (alert level ${minutes(config.queueWaitSeconds)}); ${depth} job(s) wait.`,
      ),
    )
  }
  const levels = [
    ['fleet_storage', 'Stored content', facts.fleet.storageBytes, config.fleetStorageBytes],
    [
      'fleet_bandwidth',
      "This month's downloads",
      facts.fleet.bandwidthBytes,
      config.fleetBandwidthBytes,
    ],
  ] as const
  for (const [kind, what, used, level] of levels) {
    if (level !== null && used >= level) {
      holding.push(
        condition(
          kind,
          'fleet',
          `${what} total ${formatBytes(used)}, at or over the alert level of ${formatBytes(level)}.`,
        ),
      )
    }
  }
  const { requests, errors } = facts.requests
  if (
    config.apiErrorRate !== null &&
    requests >= ERROR_RATE_MIN_REQUESTS &&
    errors / requests > config.apiErrorRate
  ) {
    const pct = (n: number) => `${Number((n * 100).toFixed(2))} %`
    holding.push(
      condition(
        'api_error_rate',
        'api',
        `${errors} of ${requests} /api/* requests in the last ${ERROR_RATE_WINDOW_MINUTES} min answered 5xx (${pct(errors / requests)}, alert level ${pct(config.apiErrorRate)}).`,
      ),
    )
  }
  return holding
}

/** An alert open now, as the reconciliation needs it. */
export interface OpenAlert {
  id: number
  key: string
  kind: string
  subject: string | null
  createdAt: number
}

/** Where the job an event alert is about stands now (null: deleted). */
export interface JobStanding {
  status: string
  following: boolean
}

/**
 * Whether an event alert still holds: a dead-lettered job while it waits in line, a job that
 * gave up while it stays failed (retried or deleted: resolved), either for at most a day.
 */
export function eventStillHolds(alert: OpenAlert, job: JobStanding | null, now: number): boolean {
  if (now - alert.createdAt >= EVENT_ALERT_TTL_MS || !job) return false
  if (alert.kind === 'dispatch_dead_lettered')
    return !job.following && ['submitted', 'queued'].includes(job.status)
  return job.status === 'failed'
}

/**
 * What changes: conditions that hold with no open alert open one; open alerts whose condition
 * cleared resolve. Event alerts are opened where their event happens, never here; `jobs` has the
 * standing of each job an open event alert is about.
 */
export function reconcile(
  open: readonly OpenAlert[],
  holding: readonly AlertCondition[],
  jobs: ReadonlyMap<string, JobStanding>,
  now: number,
): { toOpen: AlertCondition[]; toResolve: OpenAlert[] } {
  const holdingKeys = new Set(holding.map((c) => c.key))
  const openKeys = new Set(open.map((a) => a.key))
  const toResolve = open.filter((alert) => {
    const kind = ALERT_KINDS[alert.kind as AlertKind]
    if (!kind) return true
    if (kind.event) return !eventStillHolds(alert, jobs.get(alert.subject ?? '') ?? null, now)
    return !holdingKeys.has(alert.key)
  })
  return { toOpen: holding.filter((c) => !openKeys.has(c.key)), toResolve }
}

/** The runbook link of an anchor: under `base` (the published OBSERVABILITY.md), else relative. */
export function runbookUrl(anchor: string, base: string | undefined): string {
  return `${base?.trim() || 'OBSERVABILITY.md'}#${anchor}`
}
