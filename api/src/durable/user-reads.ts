import type { ListJobsQuery } from '@tseeder/shared'
import type { JobRow } from '../db/jobs.ts'
import type { Page } from '../db/pages.ts'
import type { SessionUserRow } from '../db/sessions.ts'
import type { TokenUserRow } from '../db/tokens.ts'
import { MINUTE } from '../lib/time.ts'

/** A credential as the Worker sees it: how it came (cookie or bearer token) and its SHA-256. */
export interface Credential {
  via: 'session' | 'token'
  hash: string
}

export type CredentialRow = SessionUserRow | TokenUserRow

/** `authenticate`'s and the job list's D1 reads, as the user's object answers them. */
export interface JobsRead {
  /** The caller (null: the credential is closed, expired or unknown, as D1 says now). */
  row: CredentialRow | null
  page: Page<JobRow> | null
}

/**
 * Kept reads expire after this even when nothing said they changed: every writer says so (see
 * `forget`), so this only bounds how long a change whose notice failed can go unseen.
 */
export const KEPT_READ_TTL = MINUTE

/** Pages kept at most (the first page of each view: status and limit). */
const KEPT_PAGES = 32

/** `last_seen_at` / `last_used_at` are written at most this often (`authenticate`'s interval). */
export const TOUCH_INTERVAL = MINUTE

interface Kept<T> {
  value: T
  readAt: number
}

/**
 * What the user's `UserSessionDO` keeps of the D1 reads behind the job list, the app's and the
 * extension's most frequent request: the credentials it saw lately (the user's row as
 * `authenticate` reads it) and the pages of the list they read. A list answered from here costs
 * no D1 round trip.
 *
 * Kept reads are never patched, only forgotten, all at once (`forget`): every writer of the
 * user's jobs, of their row, sessions and tokens calls it after its D1 write. A read that was in
 * flight when something changed is answered but not kept (`version`), so nothing kept predates a
 * change it was not told of. A session is kept only until it expires.
 */
export class UserReads {
  private credentials = new Map<string, Kept<CredentialRow>>()
  private pages = new Map<string, Kept<Page<JobRow>>>()
  /** Bumped by each `forget`: a read started before it is not kept. */
  version = 0

  forget(): void {
    this.version++
    this.credentials.clear()
    this.pages.clear()
  }

  /**
   * The kept answer for this credential and query, or null when either must be read again. A
   * session or token last used more than `TOUCH_INTERVAL` ago is given as it is (the Worker then
   * writes its use) and kept as used now, so its use is written once per interval, as it was.
   */
  answer(credential: Credential, query: ListJobsQuery, now: number): JobsRead | null {
    const kept = this.credentials.get(credential.hash)
    const page = this.pages.get(pageKey(credential, query))
    if (!kept || !page || !fresh(kept, now) || !fresh(page, now)) return null
    const row = kept.value
    if ('session_expires_at' in row && row.session_expires_at <= now) return null
    const used = 'session_id' in row ? row.session_last_seen_at : row.token_last_used_at
    if (used === null || now - used > TOUCH_INTERVAL) {
      kept.value =
        'session_id' in row
          ? { ...row, session_last_seen_at: now }
          : { ...row, token_last_used_at: now }
    }
    return { row, page: page.value }
  }

  /** Keeps what D1 answered, unless something changed since the read began (`version`). */
  keep(
    version: number,
    credential: Credential,
    query: ListJobsQuery,
    read: { row: CredentialRow; page: Page<JobRow> },
    readAt: number,
  ): void {
    if (version !== this.version) return
    this.credentials.set(credential.hash, { value: read.row, readAt })
    if (this.pages.size >= KEPT_PAGES) this.pages.clear()
    this.pages.set(pageKey(credential, query), { value: read.page, readAt })
  }
}

function fresh(kept: Kept<unknown>, now: number): boolean {
  return now - kept.readAt < KEPT_READ_TTL
}

// A page is the credential's: the same rows for every credential of the user today, but kept
// apart so that a page is never answered to a credential that was not checked with it.
function pageKey(credential: Credential, query: ListJobsQuery): string {
  return `${credential.hash} ${query.status ?? ''} ${query.cursor ?? ''} ${query.limit}`
}
