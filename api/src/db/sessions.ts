import type { DeviceSession } from '@tseeder/shared'
import { iso } from '../lib/time.ts'

export interface SessionRow {
  id: string
  user_id: string
  device_label: string
  ip: string | null
  created_at: number
  last_seen_at: number
}

export interface NewSession {
  id: string
  userId: string
  tokenHash: string
  csrfToken: string
  deviceLabel: string
  ip: string | null
  userAgent: string | null
  now: number
  expiresAt: number
}

export function toDeviceSession(row: SessionRow, currentId: string | null): DeviceSession {
  return {
    id: row.id,
    deviceLabel: row.device_label,
    ip: row.ip,
    createdAt: iso(row.created_at),
    lastSeenAt: iso(row.last_seen_at),
    current: row.id === currentId,
  }
}

export async function listActiveSessions(db: D1Database, userId: string): Promise<SessionRow[]> {
  const { results } = await db
    .prepare(
      `SELECT id, user_id, device_label, ip, created_at, last_seen_at FROM sessions
       WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
       ORDER BY created_at DESC, rowid DESC`,
    )
    .bind(userId, Date.now())
    .all<SessionRow>()
  return results
}

/** "Firefox on Linux" from a User-Agent, good enough for a device list. */
export function deviceLabelFrom(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device'
  const browser =
    [
      [/Edg\//, 'Edge'],
      [/OPR\//, 'Opera'],
      [/Firefox\//, 'Firefox'],
      [/Chrome\/|Chromium\//, 'Chrome'],
      [/Safari\//, 'Safari'],
      [/curl\//, 'curl'],
    ].find(([re]) => (re as RegExp).test(userAgent))?.[1] ?? 'Browser'
  const os =
    [
      [/Android/, 'Android'],
      [/iPhone|iPad/, 'iOS'],
      [/Windows/, 'Windows'],
      [/Mac OS X|Macintosh/, 'macOS'],
      [/CrOS/, 'ChromeOS'],
      [/Linux/, 'Linux'],
    ].find(([re]) => (re as RegExp).test(userAgent))?.[1] ?? null
  return os ? `${browser} on ${os}` : String(browser)
}
