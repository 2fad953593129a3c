import { describe, expect, it } from 'vitest'
import type { SessionUserRow } from '../db/sessions.ts'
import type { TokenUserRow } from '../db/tokens.ts'
import { KEPT_READ_TTL, TOUCH_INTERVAL, UserReads } from './user-reads.ts'

const NOW = 1_800_000_000_000
const user = {
  id: 'u1',
  email: 'a@example.test',
  password_hash: '',
  password_salt: '',
  password_iterations: 1,
  role: 'user',
  plan_id: 'free',
  suspended: 0,
  aup_accepted_at: 1,
  must_change_password: 0,
  created_at: 1,
  updated_at: 1,
} as const
const session: SessionUserRow = {
  ...user,
  session_id: 's1',
  csrf_token: 'c',
  session_last_seen_at: NOW,
  session_expires_at: NOW + 10 * KEPT_READ_TTL,
}
const token: TokenUserRow = {
  ...user,
  token_id: 't1',
  token_scopes: 'jobs:read',
  token_last_used_at: NOW,
}
const bySession = { via: 'session', hash: 'h-session' } as const
const byToken = { via: 'token', hash: 'h-token' } as const
const query = { limit: 50 }
const page = { rows: [], nextCursor: null }

describe('UserReads', () => {
  it('answers what it kept for the same credential and view only', () => {
    const reads = new UserReads()
    expect(reads.answer(bySession, query, NOW)).toBeNull()
    reads.keep(reads.version, bySession, query, { row: session, page }, NOW)
    expect(reads.answer(bySession, query, NOW + 1)).toEqual({ row: session, page })
    expect(reads.answer(bySession, { limit: 10 }, NOW + 1)).toBeNull()
    expect(reads.answer(bySession, { limit: 50, status: 'completed' }, NOW + 1)).toBeNull()
    expect(reads.answer(byToken, query, NOW + 1)).toBeNull()
  })

  it('forgets everything at once, and keeps nothing read before a change', () => {
    const reads = new UserReads()
    reads.keep(reads.version, bySession, query, { row: session, page }, NOW)
    const before = reads.version
    reads.forget()
    expect(reads.answer(bySession, query, NOW)).toBeNull()
    // A read that began before the change finishes after it: answered, not kept.
    reads.keep(before, byToken, query, { row: token, page }, NOW)
    expect(reads.answer(byToken, query, NOW)).toBeNull()
    reads.keep(reads.version, byToken, query, { row: token, page }, NOW)
    expect(reads.answer(byToken, query, NOW)).not.toBeNull()
  })

  it('stops answering a session when it expires, and anything after the time to live', () => {
    const reads = new UserReads()
    const expiring = { ...session, session_expires_at: NOW + 1_000 }
    reads.keep(reads.version, bySession, query, { row: expiring, page }, NOW)
    reads.keep(reads.version, byToken, query, { row: token, page }, NOW)
    expect(reads.answer(bySession, query, NOW + 999)).not.toBeNull()
    expect(reads.answer(bySession, query, NOW + 1_000)).toBeNull()
    expect(reads.answer(byToken, query, NOW + KEPT_READ_TTL - 1)).not.toBeNull()
    expect(reads.answer(byToken, query, NOW + KEPT_READ_TTL)).toBeNull()
  })

  it('gives a stale last use once, so the Worker writes it once per interval', () => {
    const reads = new UserReads()
    const seen = NOW - TOUCH_INTERVAL
    reads.keep(
      reads.version,
      bySession,
      query,
      { row: { ...session, session_last_seen_at: seen }, page },
      NOW,
    )
    reads.keep(
      reads.version,
      byToken,
      query,
      { row: { ...token, token_last_used_at: null }, page },
      NOW,
    )
    expect(reads.answer(bySession, query, NOW + 1)?.row).toMatchObject({
      session_last_seen_at: seen,
    })
    expect(reads.answer(bySession, query, NOW + 2)?.row).toMatchObject({
      session_last_seen_at: NOW + 1,
    })
    expect(reads.answer(byToken, query, NOW)?.row).toMatchObject({ token_last_used_at: null })
    expect(reads.answer(byToken, query, NOW + 1)?.row).toMatchObject({ token_last_used_at: NOW })
  })
})
