import type { AdminJobQuery } from '@tseeder/shared'
import type { JobRow } from './jobs.ts'
import { keysetQuery, type Page } from './pages.ts'
import type { CredentialOwner } from './sql.ts'

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
