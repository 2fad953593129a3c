import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { AGENT_STALE_MS } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import { FLUSH_INTERVAL_MS, RequestTally } from './request-tally.ts'
import {
  ALERT_KINDS,
  alertConfig,
  condition,
  EVENT_ALERT_TTL_MS,
  holdingConditions,
  reconcile,
  type AlertConfig,
  type AlertFacts,
  type OpenAlert,
} from './rules.ts'
import { retryDelayMs, webhookBody, webhookSignature } from './webhook.ts'

const now = Date.parse('2026-06-01T12:00:00Z')
const off: AlertConfig = {
  queueWaitSeconds: null,
  fleetStorageBytes: null,
  fleetBandwidthBytes: null,
  apiErrorRate: null,
}
const quiet: AlertFacts = {
  now,
  agents: [],
  queue: { depth: 0, oldestWaitSeconds: null },
  fleet: { storageBytes: 0, bandwidthBytes: 0 },
  requests: { requests: 0, errors: 0 },
}
const keys = (facts: Partial<AlertFacts>, config: Partial<AlertConfig> = {}) =>
  holdingConditions({ ...quiet, ...facts }, { ...off, ...config }).map((c) => c.key)

describe('alert rules', () => {
  it('flag an agent silent past the stale limit only while it holds jobs', () => {
    const silent = now - AGENT_STALE_MS - 1
    expect(
      keys({ agents: [{ id: 'a', lastHeartbeatAt: silent, heldJobs: 1, draining: false }] }),
    ).toEqual(['agent_stale:a'])
    expect(
      keys({ agents: [{ id: 'a', lastHeartbeatAt: silent, heldJobs: 0, draining: false }] }),
    ).toEqual([])
    expect(
      keys({ agents: [{ id: 'a', lastHeartbeatAt: now - 1000, heldJobs: 3, draining: false }] }),
    ).toEqual([])
  })

  it('note a draining agent at info severity', () => {
    const [draining] = holdingConditions(
      { ...quiet, agents: [{ id: 'b', lastHeartbeatAt: now, heldJobs: 2, draining: true }] },
      off,
    )
    expect(draining).toMatchObject({
      key: 'agent_draining:b',
      severity: 'info',
      runbook: 'draining-agent',
    })
  })

  it('flag the line only when its oldest wait is over the configured SLO', () => {
    const queue = { depth: 4, oldestWaitSeconds: 901 }
    expect(keys({ queue }, { queueWaitSeconds: 900 })).toEqual(['queue_wait:line'])
    expect(
      keys({ queue: { depth: 4, oldestWaitSeconds: 900 } }, { queueWaitSeconds: 900 }),
    ).toEqual([])
    expect(keys({ queue })).toEqual([])
  })

  it('flag fleet storage and bandwidth at or over their levels', () => {
    const fleet = { storageBytes: 1000, bandwidthBytes: 999 }
    expect(keys({ fleet }, { fleetStorageBytes: 1000, fleetBandwidthBytes: 1000 })).toEqual([
      'fleet_storage:fleet',
    ])
  })

  it('flag the API error rate over its threshold, and never on a handful of requests', () => {
    expect(keys({ requests: { requests: 100, errors: 2 } }, { apiErrorRate: 0.01 })).toEqual([
      'api_error_rate:api',
    ])
    expect(keys({ requests: { requests: 100, errors: 1 } }, { apiErrorRate: 0.01 })).toEqual([])
    expect(keys({ requests: { requests: 5, errors: 5 } }, { apiErrorRate: 0.01 })).toEqual([])
  })

  it('read thresholds from vars, with empty, zero or unreadable ones off', () => {
    expect(
      alertConfig({
        ALERT_QUEUE_WAIT_SECONDS: '900',
        ALERT_FLEET_STORAGE_BYTES: '',
        ALERT_FLEET_BANDWIDTH_BYTES: 'lots',
        ALERT_API_ERROR_RATE: '0',
      }),
    ).toEqual({ ...off, queueWaitSeconds: 900 })
  })
})

describe('reconciling alerts', () => {
  const open = (key: string, kind: string, subject: string, createdAt = now): OpenAlert => ({
    id: 1,
    key,
    kind,
    subject,
    createdAt,
  })
  const stale = condition('agent_stale', 'a', 'silent')

  it('opens a condition once and keeps it open while it holds', () => {
    expect(reconcile([], [stale], new Map(), now).toOpen).toEqual([stale])
    expect(reconcile([open(stale.key, 'agent_stale', 'a')], [stale], new Map(), now)).toEqual({
      toOpen: [],
      toResolve: [],
    })
  })

  it('resolves an alert whose condition cleared', () => {
    const alert = open(stale.key, 'agent_stale', 'a')
    expect(reconcile([alert], [], new Map(), now).toResolve).toEqual([alert])
  })

  it('keeps an event alert while its job is where the event left it, for at most a day', () => {
    const dead = open('dispatch_dead_lettered:j', 'dispatch_dead_lettered', 'j')
    const queued = new Map([['j', { status: 'queued', following: false }]])
    expect(reconcile([dead], [], queued, now).toResolve).toEqual([])
    const moved = new Map([['j', { status: 'downloading', following: false }]])
    expect(reconcile([dead], [], moved, now).toResolve).toEqual([dead])
    expect(reconcile([dead], [], new Map(), now).toResolve).toEqual([dead])
    expect(reconcile([dead], [], queued, now + EVENT_ALERT_TTL_MS).toResolve).toEqual([dead])

    const gaveUp = open('job_gave_up:j', 'job_gave_up', 'j')
    const failed = new Map([['j', { status: 'failed', following: false }]])
    expect(reconcile([gaveUp], [], failed, now).toResolve).toEqual([])
    expect(reconcile([gaveUp], [], queued, now).toResolve).toEqual([gaveUp])
  })
})

describe('the alert webhook', () => {
  it('signs `timestamp.body` with HMAC-SHA256 as a receiver recomputes it', async () => {
    const body = '{"text":"hi"}'
    const expected = createHmac('sha256', 's3cret').update(`1700000000000.${body}`).digest('hex')
    expect(await webhookSignature('s3cret', '1700000000000', body)).toBe(`v1=${expected}`)
  })

  it('sends Slack-compatible text with the structured alert', () => {
    const body = JSON.parse(
      webhookBody(
        {
          id: 3,
          createdAt: new Date(now).toISOString(),
          kind: 'agent_stale',
          jobId: null,
          message: 'Agent a is silent.',
          key: 'agent_stale:a',
          subject: 'a',
          severity: 'critical',
          resolvedAt: null,
          runbook: 'OBSERVABILITY.md#stale-agent',
          deliveries: [],
        },
        'opened',
        now,
      ),
    )
    expect(body.text).toBe(
      ':rotating_light: [CRITICAL] agent_stale: Agent a is silent. Runbook: OBSERVABILITY.md#stale-agent',
    )
    expect(body).toMatchObject({
      event: 'opened',
      alert: { key: 'agent_stale:a', severity: 'critical' },
    })
  })

  it('backs off 1, 2, 4 … minutes between attempts, at most an hour', () => {
    expect([1, 2, 3, 7, 8].map(retryDelayMs)).toEqual([
      60_000, 120_000, 240_000, 3_600_000, 3_600_000,
    ])
  })

  it('links every kind to a runbook section that exists in OBSERVABILITY.md', () => {
    const doc = readFileSync(new URL('../../../OBSERVABILITY.md', import.meta.url), 'utf8')
    const anchors = new Set(
      [...doc.matchAll(/^#+ (.+)$/gm)].map(([, title]) =>
        title!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    )
    for (const [kind, { runbook }] of Object.entries(ALERT_KINDS))
      expect(anchors.has(runbook), `${kind} → #${runbook}`).toBe(true)
  })
})

describe('counting /api/* answers', () => {
  it('flushes at once, then at most every interval, with the 5xx among them', () => {
    const tally = new RequestTally()
    expect(tally.record(200, now)).toEqual({
      minute: Math.floor(now / 60_000),
      requests: 1,
      errors: 0,
    })
    expect(tally.record(500, now + 1)).toBeNull()
    expect(tally.record(404, now + 2)).toBeNull()
    expect(tally.record(503, now + FLUSH_INTERVAL_MS)).toEqual({
      minute: Math.floor((now + FLUSH_INTERVAL_MS) / 60_000),
      requests: 3,
      errors: 2,
    })
  })
})
