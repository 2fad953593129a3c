import type { Webhook, WebhookAttempt, WebhookEventType } from '@tseeder/shared'
import { iso } from '../lib/time.ts'
import { SEALED_PREFIX } from '../lib/sealed-secret.ts'

export interface WebhookRow {
  id: string
  user_id: string
  url: string
  /** Sealed (lib/sealed-secret.ts) for `webhookBinding(id)`; plain `whsec_…` if stored before. */
  secret: string
  events: string
  created_at: number
  secret_rotated_at: number
}

/** What a webhook's stored secret is sealed for: its own row, so it opens nowhere else. */
export const webhookBinding = (id: string) => `webhook:${id}`

interface LastAttempt {
  last_at: number | null
  last_status_code: number | null
  last_ok: number | null
}

export interface DeliveryRow {
  id: string
  webhook_id: string
  event: WebhookEventType
  job_id: string
  body: string
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  next_attempt_at: number
  created_at: number
}

export function toWebhook(row: WebhookRow & Partial<LastAttempt>): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as WebhookEventType[],
    createdAt: iso(row.created_at),
    secretRotatedAt: iso(row.secret_rotated_at),
    lastAttempt:
      row.last_at == null
        ? null
        : { at: iso(row.last_at), statusCode: row.last_status_code ?? null, ok: row.last_ok === 1 },
  }
}

/** The user's webhooks, oldest first, each with its last delivery attempt. */
export async function listWebhooks(
  db: D1Database,
  userId: string,
): Promise<(WebhookRow & LastAttempt)[]> {
  const { results } = await db
    .prepare(
      `SELECT w.*, a.at AS last_at, a.status_code AS last_status_code, a.ok AS last_ok
       FROM webhooks w LEFT JOIN webhook_attempts a ON a.id =
         (SELECT MAX(id) FROM webhook_attempts WHERE webhook_id = w.id)
       WHERE w.user_id = ? ORDER BY w.created_at, w.id`,
    )
    .bind(userId)
    .all<WebhookRow & LastAttempt>()
  return results
}

export function getOwnWebhook(db: D1Database, id: string, userId: string) {
  return db
    .prepare('SELECT * FROM webhooks WHERE id = ? AND user_id = ?')
    .bind(id, userId)
    .first<WebhookRow>()
}

/**
 * Adds a webhook unless the user already has `limit`: one statement, so two requests at once
 * cannot both pass the count. Null when the limit is reached.
 */
export function insertWebhook(
  db: D1Database,
  row: WebhookRow,
  limit: number,
): Promise<WebhookRow | null> {
  return db
    .prepare(
      `INSERT INTO webhooks (id, user_id, url, secret, events, created_at, secret_rotated_at)
       SELECT ?, ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM webhooks WHERE user_id = ?) < ?
       RETURNING *`,
    )
    .bind(
      row.id,
      row.user_id,
      row.url,
      row.secret,
      row.events,
      row.created_at,
      row.secret_rotated_at,
      row.user_id,
      limit,
    )
    .first<WebhookRow>()
}

export function rotateWebhookSecret(
  db: D1Database,
  id: string,
  userId: string,
  secret: string,
  now: number,
): Promise<WebhookRow | null> {
  return db
    .prepare(
      'UPDATE webhooks SET secret = ?, secret_rotated_at = ? WHERE id = ? AND user_id = ? RETURNING *',
    )
    .bind(secret, now, id, userId)
    .first<WebhookRow>()
}

/** Up to `limit` webhooks whose secret is still stored plain (from before sealing). */
export async function listPlainSecretWebhooks(
  db: D1Database,
  limit: number,
): Promise<Pick<WebhookRow, 'id' | 'secret'>[]> {
  const { results } = await db
    .prepare('SELECT id, secret FROM webhooks WHERE secret NOT LIKE ? LIMIT ?')
    .bind(`${SEALED_PREFIX}%`, limit)
    .all<Pick<WebhookRow, 'id' | 'secret'>>()
  return results
}

/** Stores `sealed` in place of `plain`, unless the secret changed meanwhile (a rotation). */
export function sealSecretStatement(
  db: D1Database,
  id: string,
  plain: string,
  sealed: string,
): D1PreparedStatement {
  return db
    .prepare('UPDATE webhooks SET secret = ? WHERE id = ? AND secret = ?')
    .bind(sealed, id, plain)
}

export function deleteWebhookStatement(
  db: D1Database,
  id: string,
  userId: string,
): D1PreparedStatement {
  return db.prepare('DELETE FROM webhooks WHERE id = ? AND user_id = ?').bind(id, userId)
}

/** The user's webhooks that want `event`. */
export async function listSubscribedWebhooks(
  db: D1Database,
  userId: string,
  event: WebhookEventType,
): Promise<WebhookRow[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM webhooks WHERE user_id = ?
       AND EXISTS (SELECT 1 FROM json_each(webhooks.events) WHERE value = ?)`,
    )
    .bind(userId, event)
    .all<WebhookRow>()
  return results
}

export function insertDeliveryStatement(
  db: D1Database,
  d: Pick<DeliveryRow, 'id' | 'webhook_id' | 'event' | 'job_id' | 'body'> & { now: number },
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO webhook_deliveries (id, webhook_id, event, job_id, body, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(d.id, d.webhook_id, d.event, d.job_id, d.body, d.now, d.now)
}

/** Pending deliveries due by `now`, oldest first. */
export async function listDueDeliveryIds(
  db: D1Database,
  now: number,
  limit: number,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
       ORDER BY next_attempt_at LIMIT ?`,
    )
    .bind(now, limit)
    .all<{ id: string }>()
  return results.map((r) => r.id)
}

/**
 * Takes a due delivery for one attempt: counts the attempt and holds it from other runs for
 * `leaseMs`. Null when it is not due (another run has it, or it is done), or its webhook is gone.
 */
export async function claimWebhookDelivery(
  db: D1Database,
  id: string,
  now: number,
  leaseMs: number,
): Promise<{ delivery: DeliveryRow; webhook: WebhookRow } | null> {
  const delivery = await db
    .prepare(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ?
       WHERE id = ? AND status = 'pending' AND next_attempt_at <= ? RETURNING *`,
    )
    .bind(now + leaseMs, id, now)
    .first<DeliveryRow>()
  if (!delivery) return null
  const webhook = await db
    .prepare('SELECT * FROM webhooks WHERE id = ?')
    .bind(delivery.webhook_id)
    .first<WebhookRow>()
  return webhook ? { delivery, webhook } : null
}

export interface AttemptOutcome {
  at: number
  statusCode: number | null
  ok: boolean
  error: string | null
  durationMs: number
  /** When to try again; null: the delivery is finished (delivered, or given up). */
  retryAt: number | null
}

/** Logs one attempt and moves its delivery on (delivered, retried later, or given up), at once. */
export async function recordWebhookAttempt(
  db: D1Database,
  delivery: DeliveryRow,
  outcome: AttemptOutcome,
): Promise<void> {
  const status = outcome.ok ? 'delivered' : outcome.retryAt === null ? 'failed' : 'pending'
  await db.batch([
    db
      .prepare(
        `INSERT INTO webhook_attempts (delivery_id, webhook_id, attempt, at, status_code, ok, error, duration_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        delivery.id,
        delivery.webhook_id,
        delivery.attempts,
        outcome.at,
        outcome.statusCode,
        outcome.ok ? 1 : 0,
        outcome.error,
        outcome.durationMs,
      ),
    db
      .prepare('UPDATE webhook_deliveries SET status = ?, next_attempt_at = ? WHERE id = ?')
      .bind(status, outcome.retryAt ?? outcome.at, delivery.id),
  ])
}

interface AttemptRow {
  delivery_id: string
  event: WebhookEventType
  job_id: string
  attempt: number
  at: number
  status_code: number | null
  ok: number
  error: string | null
  duration_ms: number
  delivery_status: DeliveryRow['status']
  next_attempt_at: number
}

/** A webhook's latest attempts, newest first. */
export async function listWebhookAttempts(
  db: D1Database,
  webhookId: string,
  limit: number,
): Promise<WebhookAttempt[]> {
  const { results } = await db
    .prepare(
      `SELECT a.delivery_id, d.event, d.job_id, a.attempt, a.at, a.status_code, a.ok, a.error,
         a.duration_ms, d.status AS delivery_status, d.next_attempt_at
       FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
       WHERE a.webhook_id = ? ORDER BY a.id DESC LIMIT ?`,
    )
    .bind(webhookId, limit)
    .all<AttemptRow>()
  return results.map((r) => ({
    deliveryId: r.delivery_id,
    event: r.event,
    jobId: r.job_id,
    attempt: r.attempt,
    at: iso(r.at),
    statusCode: r.status_code,
    ok: r.ok === 1,
    error: r.error,
    durationMs: r.duration_ms,
    deliveryStatus: r.delivery_status,
    nextAttemptAt: r.delivery_status === 'pending' ? iso(r.next_attempt_at) : null,
  }))
}
