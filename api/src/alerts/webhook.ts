import { hmacHex, type Alert } from '@tseeder/shared'

// The operators' webhook: one POST per alert opening or resolution, JSON with a Slack-compatible
// `text`, signed like this (OBSERVABILITY.md "Alert webhook" has a verification snippet):
//   X-Tseeder-Timestamp: <Unix ms>
//   X-Tseeder-Signature: v1=<hex HMAC-SHA256 of `${timestamp}.${body}` keyed with ALERT_WEBHOOK_SECRET>

export const TIMESTAMP_HEADER = 'x-tseeder-timestamp'
export const SIGNATURE_HEADER = 'x-tseeder-signature'
/** Attempts per delivery before it is given up (`failed`): about 4 hours of backoff. */
export const MAX_DELIVERY_ATTEMPTS = 8
const TIMEOUT_MS = 5000

/** The wait before attempt `attempts + 1`: 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 60 * 60_000)
}

const ICON = { critical: ':rotating_light:', warning: ':warning:', info: ':information_source:' }

/** The JSON body for one event of `alert`: `text` for Slack, the rest for machines. */
export function webhookBody(alert: Alert, event: 'opened' | 'resolved', sentAt: number): string {
  const what = event === 'opened' ? alert.severity.toUpperCase() : 'RESOLVED'
  const runbook = alert.runbook ? ` Runbook: ${alert.runbook}` : ''
  const text = `${ICON[alert.severity]} [${what}] ${alert.kind}: ${alert.message}${runbook}`
  return JSON.stringify({
    text,
    event,
    sentAt: new Date(sentAt).toISOString(),
    alert: {
      id: alert.id,
      key: alert.key,
      kind: alert.kind,
      subject: alert.subject,
      severity: alert.severity,
      message: alert.message,
      jobId: alert.jobId,
      runbook: alert.runbook,
      openedAt: alert.createdAt,
      resolvedAt: alert.resolvedAt,
    },
  })
}

/** `v1=` and the hex HMAC-SHA256 of `timestamp.body`. */
export async function webhookSignature(
  secret: string,
  timestamp: string,
  body: string,
): Promise<string> {
  return `v1=${await hmacHex(secret, `${timestamp}.${body}`)}`
}

/** Posts one signed body; any answer but 2xx, a timeout or a network error is a failure. */
export async function postWebhook(
  url: string,
  secret: string,
  body: string,
  now: number,
): Promise<{ ok: true } | { ok: false; error: string }> {
  if (!secret)
    return { ok: false, error: 'ALERT_WEBHOOK_SECRET is not set: nothing is sent unsigned.' }
  const timestamp = String(now)
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: await webhookSignature(secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    await response.body?.cancel()
    return response.ok
      ? { ok: true }
      : { ok: false, error: `The webhook answered ${response.status}.` }
  } catch (error) {
    return { ok: false, error: `The webhook could not be reached: ${String(error).slice(0, 200)}` }
  }
}
