import type { AlertList } from '@tseeder/shared'
import type { z } from 'zod'
import {
  agentsForAlerts,
  fleetUsage,
  jobStandings,
  pruneRequestCounts,
  sumRequestCounts,
} from '../db/alert-facts.ts'
import {
  claimDelivery,
  listDueDeliveryIds,
  listOpenAlerts,
  listRecentAlerts,
  openAlert,
  pruneResolvedAlerts,
  recordDeliveryAttempt,
  resolveAlert,
  toAlert,
  type NewAlert,
} from '../db/alerts.ts'
import { queueSummary } from '../db/line-stats.ts'
import { log } from '../lib/log.ts'
import { billingPeriod, DAY, MINUTE } from '../lib/time.ts'
import {
  ALERT_KINDS,
  alertConfig,
  ERROR_RATE_WINDOW_MINUTES,
  holdingConditions,
  reconcile,
  runbookUrl,
  type AlertFacts,
  type AlertKind,
} from './rules.ts'
import { MAX_DELIVERY_ATTEMPTS, postWebhook, retryDelayMs, webhookBody } from './webhook.ts'

// The alert shell: gathers facts, lets the pure rules decide, and performs what they decided
// (open, resolve, deliver). Called by the every-minute cron and where an event happens.

/** Deliveries sent per run at most; the rest wait for the next minute. */
const DELIVERIES_PER_RUN = 25
/** How long a claimed delivery is held from others while it is being sent. */
const DELIVERY_LEASE_MS = 30_000

function webhookConfigured(env: Env): boolean {
  return Boolean(env.ALERT_WEBHOOK_URL?.trim())
}

/** The link to an alert's runbook, from its stored anchor (or its kind's, for older rows). */
function runbookFor(env: Env, kind: string) {
  return (anchor: string | null) => {
    const known = anchor ?? ALERT_KINDS[kind as AlertKind]?.runbook
    return known ? runbookUrl(known, env.ALERT_RUNBOOK_BASE_URL) : null
  }
}

/**
 * An event happened that operators must hear of (a dead-lettered notice, a job that gave up):
 * opens its alert unless one with its key is open, logs it, and queues the webhook delivery.
 * The caller delivers it at once ({@link deliverDueAlerts} with the id) or leaves it to the cron.
 * The new alert's id, or null when it was open already.
 */
export async function raiseAlert(
  env: Env,
  alert: NewAlert,
  now = Date.now(),
): Promise<number | null> {
  const id = await openAlert(env.DB, alert, webhookConfigured(env), now)
  if (id !== null) log.warn('alert_opened', { key: alert.key, severity: alert.severity })
  return id
}

/** The cron's view of the fleet for the rules. */
async function gatherFacts(env: Env, now: number): Promise<AlertFacts> {
  const sinceMinute = Math.floor(now / MINUTE) - ERROR_RATE_WINDOW_MINUTES + 1
  const [agents, queue, fleet, requests] = await Promise.all([
    agentsForAlerts(env.DB),
    queueSummary(env.DB, now),
    fleetUsage(env.DB, billingPeriod(now)),
    sumRequestCounts(env.DB, sinceMinute),
  ])
  await pruneRequestCounts(env.DB, sinceMinute - 60)
  return { now, agents, queue, fleet, requests }
}

/** Re-evaluates every rule: opens alerts whose condition holds now, resolves those that cleared. */
export async function evaluateAlerts(
  env: Env,
  now = Date.now(),
): Promise<{ opened: number; resolved: number }> {
  const [facts, open] = await Promise.all([gatherFacts(env, now), listOpenAlerts(env.DB)])
  const eventSubjects = open
    .filter((a) => ALERT_KINDS[a.kind as AlertKind]?.event && a.subject)
    .map((a) => a.subject!)
  const jobs = await jobStandings(env.DB, eventSubjects)
  const { toOpen, toResolve } = reconcile(
    open.map((a) => ({
      id: a.id,
      key: a.dedup_key!,
      kind: a.kind,
      subject: a.subject,
      createdAt: a.created_at,
    })),
    holdingConditions(facts, alertConfig(env)),
    jobs,
    now,
  )
  const deliver = webhookConfigured(env)
  let opened = 0
  for (const alert of toOpen) if ((await raiseAlert(env, alert, now)) !== null) opened++
  for (const alert of toResolve) {
    await resolveAlert(env.DB, alert.id, deliver, now)
    log.info('alert_resolved', { key: alert.key })
  }
  return { opened, resolved: toResolve.length }
}

/**
 * Sends the deliveries due now (all alerts', or only `alertId`'s), each claimed first so no two
 * runs send one twice; a failure is retried with backoff, then given up. How many were delivered.
 */
export async function deliverDueAlerts(
  env: Env,
  now = Date.now(),
  alertId: number | null = null,
): Promise<number> {
  const url = env.ALERT_WEBHOOK_URL?.trim()
  if (!url) return 0
  let delivered = 0
  for (const id of await listDueDeliveryIds(env.DB, now, DELIVERIES_PER_RUN, alertId)) {
    const claimed = await claimDelivery(env.DB, id, now, DELIVERY_LEASE_MS)
    if (!claimed) continue
    const { delivery, alert } = claimed
    const body = webhookBody(
      toAlert(alert, [], runbookFor(env, alert.kind)),
      delivery.event,
      Date.now(),
    )
    const sent = await postWebhook(url, env.ALERT_WEBHOOK_SECRET ?? '', body, Date.now())
    if (sent.ok) {
      delivered++
      await recordDeliveryAttempt(env.DB, id, { ok: true, at: Date.now() })
      continue
    }
    const retryAt =
      delivery.attempts >= MAX_DELIVERY_ATTEMPTS ? null : now + retryDelayMs(delivery.attempts)
    log[retryAt === null ? 'error' : 'warn']('alert_delivery_failed', {
      alertId: alert.id,
      key: alert.dedup_key,
      event: delivery.event,
      attempts: delivery.attempts,
      error: sent.error,
    })
    await recordDeliveryAttempt(env.DB, id, { ok: false, error: sent.error, retryAt })
  }
  return delivered
}

/** The every-minute cron's alert step: re-evaluate the rules, then deliver what is due. */
export async function runAlertStep(env: Env, now = Date.now()): Promise<void> {
  const { opened, resolved } = await evaluateAlerts(env, now)
  const delivered = await deliverDueAlerts(env, now)
  if (opened || resolved || delivered) log.info('alert_step', { opened, resolved, delivered })
}

/** Resolved alerts are kept this long for the Alerts tab, then forgotten by the daily cron. */
export const RESOLVED_ALERT_RETENTION_MS = 90 * DAY

/** The daily cron's share: forgets alerts resolved more than 90 days ago. */
export function pruneOldAlerts(env: Env, now = Date.now()): Promise<number> {
  return pruneResolvedAlerts(env.DB, now - RESOLVED_ALERT_RETENTION_MS)
}

/** `GET /api/admin/alerts`: open alerts, then recently resolved ones, with their deliveries. */
export async function alertList(env: Env, limit = 200): Promise<z.output<typeof AlertList>> {
  const rows = await listRecentAlerts(env.DB, limit)
  return {
    alerts: rows.map(({ alert, deliveries }) =>
      toAlert(alert, deliveries, runbookFor(env, alert.kind)),
    ),
    webhookConfigured: webhookConfigured(env),
  }
}
