import type { JobStatus } from '@tseeder/shared'

/**
 * A status group of `shared/src/lifecycle.ts` written as an SQL list (`'queued', 'paused'`), so
 * the groups are named once and no query types a status by hand. Statuses are a closed enum:
 * inlining them is safe and lets SQLite use them as constants.
 *
 * @example `SELECT id FROM jobs WHERE status IN (${sqlList(ACTIVE_STATUSES)})`
 */
export function sqlList(statuses: readonly JobStatus[]): string {
  return statuses.map((status) => `'${status}'`).join(', ')
}

/**
 * The user id behind a credential, as a scalar subquery with its bound values: a statement that
 * filters by it is batched with the credential's own lookup and can never see another user's rows,
 * and a credential closed meanwhile matches nothing.
 */
export interface CredentialOwner {
  sql: string
  binds: unknown[]
}
