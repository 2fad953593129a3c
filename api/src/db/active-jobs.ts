import { ACTIVE_STATUSES } from '@tseeder/shared'
import { sqlList } from './sql.ts'

// What counts as active is ACTIVE_STATUSES; whether a user may hold one more is decided here only.

/**
 * The active-jobs rule, the one place it is written: the user's jobs in an active status, with
 * `adding` more, fit their plan's transfers plus waiting jobs (`max_active_jobs` +
 * `max_queued_jobs`; NULL in either: no limit). Which of them transfer at once is the dispatch
 * line's business (`db/dispatch-line.ts`). `userParam` is the statement's placeholder for the
 * user's id. The rule is only ever evaluated inside the statement that makes a job active, so two
 * requests cannot both take the last slot (D1 runs one statement, or one batch, at a time).
 */
function withinActiveJobLimit(userParam: `?${number}`, adding: 0 | 1): string {
  return `(SELECT COUNT(*) FROM jobs WHERE user_id = ${userParam} AND status IN (${sqlList(ACTIVE_STATUSES)})) + ${adding}
    <= COALESCE((SELECT p.max_active_jobs + p.max_queued_jobs FROM users u JOIN plans p ON p.id = u.plan_id WHERE u.id = ${userParam}), ${Number.MAX_SAFE_INTEGER})`
}

/**
 * The last statement of the batch that inserts an active job: the job (and its file rows, by
 * cascade) is deleted again when it took its owner over the plan's active-jobs limit. Changes one
 * row exactly when the job was refused.
 */
export function dropJobOverActiveLimitStatement(
  db: D1Database,
  jobId: string,
  userId: string,
): D1PreparedStatement {
  return db
    .prepare(`DELETE FROM jobs WHERE id = ?1 AND NOT (${withinActiveJobLimit('?2', 0)})`)
    .bind(jobId, userId)
}

/**
 * A paused or failed job takes an active slot (its status becomes `status`, following
 * `followsJobId`) if its owner's plan has one free; false when it has none. A job already active
 * keeps the slot it holds.
 */
export async function claimActiveSlot(
  db: D1Database,
  job: { jobId: string; userId: string; at: number; status: string; followsJobId: string | null },
): Promise<boolean> {
  const active = `status IN (${sqlList(ACTIVE_STATUSES)})`
  const result = await db
    .prepare(
      `UPDATE jobs SET status = CASE WHEN ${active} THEN status ELSE ?4 END,
         follows_job_id = CASE WHEN ${active} THEN follows_job_id ELSE ?5 END, updated_at = ?3
       WHERE id = ?1 AND (${active} OR ${withinActiveJobLimit('?2', 1)})`,
    )
    .bind(job.jobId, job.userId, job.at, job.status, job.followsJobId)
    .run()
  return result.meta.changes > 0
}
