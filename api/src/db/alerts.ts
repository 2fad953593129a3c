import type { Alert, AlertDelivery } from '@tseeder/shared'
import { iso } from '../lib/time.ts'

export interface AlertRow {
  id: number
  created_at: number
  kind: string
  job_id: string | null
  message: string
  dedup_key: string | null
  subject: string | null
  severity: 'critical' | 'warning' | 'info'
  runbook: string | null
  resolved_at: number | null
}

export interface DeliveryRow {
  id: number
  alert_id: number
  event: 'opened' | 'resolved'
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  next_attempt_at: number
  last_error: string | null
  delivered_at: number | null
}

/** What an alert is opened with (the rules' condition, or an event's). */
export interface NewAlert {
  key: string
  kind: string
  subject: string
  severity: AlertRow['severity']
  message: string
  runbook: string
  jobId: string | null
}

export function toDelivery(row: DeliveryRow): AlertDelivery {
  return {
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    deliveredAt: iso(row.delivered_at),
  }
}

/** The API's alert; `runbook` is the link made from the stored anchor. */
export function toAlert(
  row: AlertRow,
  deliveries: DeliveryRow[],
  runbook: (anchor: string | null) => string | null,
): Alert {
  return {
    id: row.id,
    createdAt: iso(row.created_at),
    kind: row.kind,
    jobId: row.job_id,
    message: row.message,
    key: row.dedup_key,
    subject: row.subject,
    severity: row.severity,
    resolvedAt: iso(row.resolved_at),
    runbook: runbook(row.runbook),
    deliveries: deliveries.map(toDelivery),
  }
}

/** Open alerts first (newest first), then the most recently resolved, with their deliveries. */
export async function listRecentAlerts(
  db: D1Database,
  limit: number,
): Promise<{ alert: AlertRow; deliveries: DeliveryRow[] }[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM alerts
       ORDER BY resolved_at IS NOT NULL, COALESCE(resolved_at, created_at) DESC, id DESC LIMIT ?`,
    )
    .bind(limit)
    .all<AlertRow>()
  if (!results.length) return []
  const { results: deliveries } = await db
    .prepare(
      `SELECT * FROM alert_deliveries WHERE alert_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    )
    .bind(JSON.stringify(results.map((row) => row.id)))
    .all<DeliveryRow>()
  return results.map((alert) => ({
    alert,
    deliveries: deliveries.filter((d) => d.alert_id === alert.id),
  }))
}

/** Alerts open now (from the rules; rows from before deduplication have no key and are closed). */
export async function listOpenAlerts(db: D1Database): Promise<AlertRow[]> {
  const { results } = await db
    .prepare('SELECT * FROM alerts WHERE resolved_at IS NULL AND dedup_key IS NOT NULL')
    .all<AlertRow>()
  return results
}

/**
 * Opens `alert` unless one with its key is open already; with `deliver`, its opening is queued
 * for the webhook in the same batch. The new alert's id, or null when it was open already.
 */
export async function openAlert(
  db: D1Database,
  alert: NewAlert,
  deliver: boolean,
  at: number,
): Promise<number | null> {
  const insert = db
    .prepare(
      `INSERT OR IGNORE INTO alerts
         (created_at, kind, job_id, message, dedup_key, subject, severity, runbook)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .bind(
      at,
      alert.kind,
      alert.jobId,
      alert.message,
      alert.key,
      alert.subject,
      alert.severity,
      alert.runbook,
    )
  const queue = db
    .prepare(
      `INSERT OR IGNORE INTO alert_deliveries (alert_id, event, next_attempt_at)
       SELECT id, 'opened', ? FROM alerts WHERE dedup_key = ? AND resolved_at IS NULL AND created_at = ?`,
    )
    .bind(at, alert.key, at)
  const [inserted] = await db.batch<{ id: number }>(deliver ? [insert, queue] : [insert])
  return inserted?.results[0]?.id ?? null
}

/** Resolves an open alert; with `deliver`, its resolution is queued for the webhook. */
export async function resolveAlert(
  db: D1Database,
  alertId: number,
  deliver: boolean,
  at: number,
): Promise<void> {
  const resolve = db
    .prepare('UPDATE alerts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL')
    .bind(at, alertId)
  const queue = db
    .prepare(
      `INSERT OR IGNORE INTO alert_deliveries (alert_id, event, next_attempt_at) VALUES (?, 'resolved', ?)`,
    )
    .bind(alertId, at)
  await db.batch(deliver ? [resolve, queue] : [resolve])
}

/**
 * Deliveries due now, oldest first (optionally only `alertId`'s). A resolution waits until its
 * alert's opening is delivered or given up, so a receiver never hears them out of order.
 */
export async function listDueDeliveryIds(
  db: D1Database,
  now: number,
  limit: number,
  alertId: number | null = null,
): Promise<number[]> {
  const { results } = await db
    .prepare(
      `SELECT d.id FROM alert_deliveries d
       WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 AND (?2 IS NULL OR d.alert_id = ?2)
         AND NOT EXISTS (SELECT 1 FROM alert_deliveries o WHERE o.alert_id = d.alert_id
                           AND o.event = 'opened' AND o.status = 'pending' AND d.event = 'resolved')
       ORDER BY d.id LIMIT ?3`,
    )
    .bind(now, alertId, limit)
    .all<{ id: number }>()
  return results.map((row) => row.id)
}

/**
 * Takes a due delivery for one attempt: counts the attempt and holds it for `leaseMs` so the
 * cron and an event's own delivery never send it twice. Null when someone else took it.
 */
export async function claimDelivery(
  db: D1Database,
  id: number,
  now: number,
  leaseMs: number,
): Promise<{ delivery: DeliveryRow; alert: AlertRow } | null> {
  const delivery = await db
    .prepare(
      `UPDATE alert_deliveries SET attempts = attempts + 1, next_attempt_at = ?
       WHERE id = ? AND status = 'pending' AND next_attempt_at <= ? RETURNING *`,
    )
    .bind(now + leaseMs, id, now)
    .first<DeliveryRow>()
  if (!delivery) return null
  const alert = await db
    .prepare('SELECT * FROM alerts WHERE id = ?')
    .bind(delivery.alert_id)
    .first<AlertRow>()
  return alert ? { delivery, alert } : null
}

/** Records one attempt's outcome: delivered, tried again at `retryAt`, or (null) given up. */
export async function recordDeliveryAttempt(
  db: D1Database,
  id: number,
  outcome: { ok: true; at: number } | { ok: false; error: string; retryAt: number | null },
): Promise<void> {
  if (outcome.ok) {
    await db
      .prepare(
        `UPDATE alert_deliveries SET status = 'delivered', delivered_at = ?, last_error = NULL WHERE id = ?`,
      )
      .bind(outcome.at, id)
      .run()
    return
  }
  await db
    .prepare(
      `UPDATE alert_deliveries SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at),
         last_error = ? WHERE id = ?`,
    )
    .bind(outcome.retryAt === null ? 'failed' : 'pending', outcome.retryAt, outcome.error, id)
    .run()
}

/** Forgets alerts resolved before `before`, with their deliveries. How many went. */
export async function pruneResolvedAlerts(db: D1Database, before: number): Promise<number> {
  const [, deleted] = await db.batch([
    db
      .prepare(
        `DELETE FROM alert_deliveries WHERE alert_id IN
           (SELECT id FROM alerts WHERE resolved_at IS NOT NULL AND resolved_at < ?)`,
      )
      .bind(before),
    db.prepare('DELETE FROM alerts WHERE resolved_at IS NOT NULL AND resolved_at < ?').bind(before),
  ])
  return deleted?.meta.changes ?? 0
}
