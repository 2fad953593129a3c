import type { AdminJobQuery, ListJobsQuery } from '@tseeder/shared'
import type { JobRow } from './jobs.ts'
import { keysetQuery, type Page } from './pages.ts'
import { findUserBySessionStatement, sessionOwner, type SessionUserRow } from './sessions.ts'
import type { CredentialOwner } from './sql.ts'
import { findUserByTokenStatement, tokenOwner, type TokenUserRow } from './tokens.ts'

/**
 * A page of the jobs of the user behind a credential, newest first, as `listJobsPage` gives it:
 * the statement is batched with the credential's lookup (one D1 round trip for both).
 */
export function ownJobsPageQuery(
  db: D1Database,
  options: Omit<AdminJobQuery, 'userId'>,
  owner: CredentialOwner,
): { statement: D1PreparedStatement; page: (results: JobRow[]) => Page<JobRow> } {
  return keysetQuery<JobRow>(db, {
    from: 'jobs',
    where: [[`user_id = ${owner.sql}`, owner.binds]],
    equals: { status: options.status },
    cursor: options.cursor,
    limit: options.limit,
  })
}

/**
 * The caller behind a credential (its SHA-256, from a cookie or a bearer token) and a page of
 * their jobs, in one D1 round trip: what `authenticate` reads for `GET /api/jobs`, for the user's
 * object to keep (see `durable/user-reads.ts`). `row` is null when the credential is not open.
 */
export async function readCredentialAndJobs(
  db: D1Database,
  credential: { via: 'session' | 'token'; hash: string },
  query: ListJobsQuery,
  now: number,
): Promise<{ row: SessionUserRow | TokenUserRow | null; page: Page<JobRow> }> {
  const [lookup, owner] =
    credential.via === 'session'
      ? [findUserBySessionStatement(db, credential.hash, now), sessionOwner(credential.hash, now)]
      : [findUserByTokenStatement(db, credential.hash), tokenOwner(credential.hash)]
  const { statement, page } = ownJobsPageQuery(db, query, owner)
  const [found, listed] = await db.batch([lookup, statement])
  const row = (found!.results[0] as SessionUserRow | TokenUserRow | undefined) ?? null
  return { row, page: page(listed!.results as JobRow[]) }
}
