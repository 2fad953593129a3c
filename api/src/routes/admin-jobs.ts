import { Hono } from 'hono'
import { endpoints, type Endpoint, type JobAction } from '@tseeder/shared'
import { auditRecord, auditStatement } from '../db/audit.ts'
import { getJobRow, listJobsPage, toJob, type JobRow } from '../db/jobs.ts'
import type { AppEnv } from '../env.ts'
import { runJobAction } from '../jobs/actions.ts'
import { removeJob } from '../jobs/remove.ts'
import { HttpError } from '../lib/errors.ts'
import { route } from '../lib/route.ts'

/** Any user's jobs, for operators: listed, and cancelled, retried or deleted with a reason. */
export const adminJobRoutes = new Hono<AppEnv>()

function toAdminJob(row: JobRow) {
  return { ...toJob(row), userId: row.user_id, agentId: row.agent_id, attempt: row.attempt }
}

async function anyJob(db: D1Database, id: string): Promise<JobRow> {
  const job = await getJobRow(db, id)
  if (!job) throw new HttpError(404, 'not_found', 'No such job.')
  return job
}

route(adminJobRoutes, endpoints.adminListJobs, async (c, { query }) => {
  const page = await listJobsPage(c.env.DB, query)
  return { jobs: page.rows.map(toAdminJob), nextCursor: page.nextCursor }
})

const ACTIONS = [
  [endpoints.adminCancelJob, 'cancel'],
  [endpoints.adminRetryJob, 'retry'],
] as const satisfies readonly (readonly [Endpoint, JobAction])[]
for (const [endpoint, action] of ACTIONS) {
  route(adminJobRoutes, endpoint, async (c, { params, body }) => {
    const job = await anyJob(c.env.DB, params.id)
    // The owner's job, the owner's plan: a retry still needs a free active-job slot of theirs.
    await runJobAction(c.env, job.id, action, {
      operatorReason: body.reason,
      audit: auditRecord(c, {
        action: `admin.job_${action}`,
        targetType: 'job',
        targetId: job.id,
        meta: { reason: body.reason, ownerId: job.user_id },
      }),
    })
    return toAdminJob((await getJobRow(c.env.DB, job.id))!)
  })
}

route(adminJobRoutes, endpoints.adminDeleteJob, async (c, { params, body }) => {
  const job = await anyJob(c.env.DB, params.id)
  await removeJob(c.env, job, [
    auditStatement(c, {
      action: 'admin.job_deleted',
      targetType: 'job',
      targetId: job.id,
      meta: { reason: body.reason, ownerId: job.user_id, infohash: job.infohash },
    }),
  ])
  return undefined
})
