import { Hono } from 'hono'
import { ACTIVE_STATUSES, endpoints } from '@tseeder/shared'
import { toAgentInfo, type AgentRow } from '../agents/registry.ts'
import { toJob, type JobRow } from '../db/jobs.ts'
import { jobProgress } from '../durable/job-progress.ts'
import { iso } from '../lib/time.ts'
import type { AppEnv } from '../env.ts'
import { auditStatement, toAuditEntry, type AuditRow } from '../db/audit.ts'
import { keysetPage } from '../db/pages.ts'
import { sqlList } from '../db/sql.ts'
import { findUserById, toUser, type UserRow } from '../db/users.ts'
import { userSessions } from '../durable/user-session.ts'
import { HttpError } from '../lib/errors.ts'
import { requireAuth, route } from '../lib/route.ts'

export const adminRoutes = new Hono<AppEnv>()

route(adminRoutes, endpoints.adminListUsers, async (c, { query }) => {
  const search = query.q ? `%${query.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%` : null
  const page = await keysetPage<UserRow>(c.env.DB, {
    from: 'users',
    where: search ? [["email LIKE ? ESCAPE '\\'", search]] : [],
    cursor: query.cursor,
    limit: query.limit,
  })
  return { users: page.rows.map(toUser), nextCursor: page.nextCursor }
})

route(adminRoutes, endpoints.adminUpdateUser, async (c, { params, body }) => {
  const admin = requireAuth(c).user
  const target = await findUserById(c.env.DB, params.id)
  if (!target) throw new HttpError(404, 'not_found', 'No such user.')
  if (target.id === admin.id && (body.role === 'user' || body.suspended === true)) {
    throw new HttpError(
      409,
      'conflict',
      'You cannot demote or suspend yourself; ask another admin.',
    )
  }
  const next: UserRow = {
    ...target,
    role: body.role ?? target.role,
    plan_id: body.plan ?? target.plan_id,
    suspended: body.suspended === undefined ? target.suspended : Number(body.suspended),
    updated_at: Date.now(),
  }
  const changes = Object.fromEntries(
    (['role', 'plan', 'suspended'] as const)
      .filter((key) => body[key] !== undefined)
      .map((key) => [key, body[key]]),
  )
  await c.env.DB.batch([
    c.env.DB.prepare(
      'UPDATE users SET role = ?, plan_id = ?, suspended = ?, updated_at = ? WHERE id = ?',
    ).bind(next.role, next.plan_id, next.suspended, next.updated_at, target.id),
    auditStatement(c, {
      action: 'admin.user_updated',
      targetType: 'user',
      targetId: target.id,
      meta: changes,
    }),
  ])
  if (body.suspended === true && target.suspended === 0) {
    await userSessions(c.env, target.id).revokeAll(target.id, 'suspended')
  }
  return { user: toUser(next) }
})

route(adminRoutes, endpoints.adminAudit, async (c, { query }) => {
  const where: [string, unknown][] = []
  if (query.actorId) where.push(['actor_id = ?', query.actorId])
  if (query.action) where.push(['action = ?', query.action])
  const page = await keysetPage<AuditRow & { created_at: number }>(c.env.DB, {
    from: 'audit_logs',
    where,
    cursor: query.cursor,
    limit: query.limit,
    key: 'id',
  })
  return { entries: page.rows.map(toAuditEntry), nextCursor: page.nextCursor }
})

route(adminRoutes, endpoints.adminListJobs, async (c, { query }) => {
  const where: [string, unknown][] = []
  if (query.status) where.push(['status = ?', query.status])
  if (query.userId) where.push(['user_id = ?', query.userId])
  const page = await keysetPage<JobRow>(c.env.DB, {
    from: 'jobs',
    where,
    cursor: query.cursor,
    limit: query.limit,
  })
  return {
    jobs: page.rows.map((row) => ({
      ...toJob(row),
      userId: row.user_id,
      agentId: row.agent_id,
      attempt: row.attempt,
    })),
    nextCursor: page.nextCursor,
  }
})

interface BlocklistRow {
  infohash: string
  reason: string
  notice_url: string | null
  created_at: number
}

const toBlocklistEntry = (row: BlocklistRow) => ({
  infohash: row.infohash,
  reason: row.reason,
  noticeUrl: row.notice_url,
  createdAt: iso(row.created_at),
})

route(adminRoutes, endpoints.adminListBlocklist, async (c) => {
  const { results } = await c.env.DB.prepare(
    'SELECT * FROM blocklist ORDER BY created_at DESC',
  ).all<BlocklistRow>()
  return { entries: results.map(toBlocklistEntry) }
})

route(adminRoutes, endpoints.adminAddBlocklist, async (c, { body }) => {
  const admin = requireAuth(c).user
  const row: BlocklistRow = {
    infohash: body.infohash,
    reason: body.reason,
    notice_url: body.noticeUrl ?? null,
    created_at: Date.now(),
  }
  await c.env.DB.batch([
    c.env.DB.prepare(
      `INSERT INTO blocklist (infohash, reason, notice_url, created_by, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (infohash) DO UPDATE SET reason = excluded.reason, notice_url = excluded.notice_url`,
    ).bind(row.infohash, row.reason, row.notice_url, admin.id, row.created_at),
    auditStatement(c, {
      action: 'admin.blocklist_added',
      targetType: 'infohash',
      targetId: row.infohash,
      meta: { reason: row.reason },
    }),
  ])
  const { results } = await c.env.DB.prepare(
    `SELECT id FROM jobs WHERE infohash = ? AND status IN (${sqlList([...ACTIVE_STATUSES, 'paused'])})`,
  )
    .bind(row.infohash)
    .all<{ id: string }>()
  for (const { id } of results) {
    await jobProgress(c.env, id).failPermanently(id, {
      code: 'blocked',
      message: `This content is blocked: ${row.reason}`,
    })
  }
  return toBlocklistEntry(row)
})

route(adminRoutes, endpoints.adminRemoveBlocklist, async (c, { params }) => {
  const listed = await c.env.DB.prepare('SELECT 1 FROM blocklist WHERE infohash = ?')
    .bind(params.infohash)
    .first()
  if (!listed) throw new HttpError(404, 'not_found', 'That info hash is not on the blocklist.')
  await c.env.DB.batch([
    c.env.DB.prepare('DELETE FROM blocklist WHERE infohash = ?').bind(params.infohash),
    auditStatement(c, {
      action: 'admin.blocklist_removed',
      targetType: 'infohash',
      targetId: params.infohash,
    }),
  ])
  return undefined
})

route(adminRoutes, endpoints.adminListAgents, async (c) => {
  const { results } = await c.env.DB.prepare(
    'SELECT * FROM agents ORDER BY last_heartbeat_at DESC',
  ).all<AgentRow>()
  return { agents: results.map((row) => toAgentInfo(row)) }
})

route(adminRoutes, endpoints.adminListAlerts, async (c) => {
  const { results } = await c.env.DB.prepare(
    'SELECT * FROM alerts ORDER BY id DESC LIMIT 200',
  ).all<{
    id: number
    created_at: number
    kind: string
    job_id: string | null
    message: string
  }>()
  return {
    alerts: results.map((r) => ({
      id: r.id,
      createdAt: iso(r.created_at),
      kind: r.kind,
      jobId: r.job_id,
      message: r.message,
    })),
  }
})
