import { Hono } from 'hono'
import { endpoints } from '@tseeder/shared'
import { toAgentInfo } from '../agents/registry.ts'
import { alertList } from '../alerts/alert-step.ts'
import { agentDrainingStatement, getAgent, listAgents } from '../db/agents.ts'
import {
  deleteBlocklistStatement,
  getBlockReason,
  listBlocklist,
  toBlocklistEntry,
  upsertBlocklistStatement,
  type BlocklistRow,
} from '../db/blocklist.ts'
import { listUnfinishedJobIds } from '../db/jobs.ts'
import { listParkedJobIds, queueSummary } from '../db/line-stats.ts'
import { jobProgress } from '../durable/job-progress.ts'
import { moveOffDrainingAgent } from '../jobs/drain.ts'
import { fillLine } from '../queue/dispatch-queue.ts'
import type { AppEnv } from '../env.ts'
import { auditStatement, listAuditPage, toAuditEntry } from '../db/audit.ts'
import {
  findUserById,
  listUsersPage,
  toUser,
  updateUserStatement,
  type UserRow,
} from '../db/users.ts'
import { forgetReads, userSessions } from '../durable/user-session.ts'
import { HttpError } from '../lib/errors.ts'
import { requireAuth, route } from '../lib/route.ts'

export const adminRoutes = new Hono<AppEnv>()

route(adminRoutes, endpoints.adminListUsers, async (c, { query }) => {
  const page = await listUsersPage(c.env.DB, {
    emailContains: query.q,
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
    updateUserStatement(c.env.DB, next),
    auditStatement(c, {
      action: 'admin.user_updated',
      targetType: 'user',
      targetId: target.id,
      meta: changes,
    }),
  ])
  await forgetReads(c.env, target.id)
  if (body.suspended === true && target.suspended === 0) {
    await userSessions(c.env, target.id).revokeAll(target.id, 'suspended')
  }
  return { user: toUser(next) }
})

route(adminRoutes, endpoints.adminAudit, async (c, { query }) => {
  const page = await listAuditPage(c.env.DB, query)
  return { entries: page.rows.map(toAuditEntry), nextCursor: page.nextCursor }
})

route(adminRoutes, endpoints.adminListBlocklist, async (c) => {
  return { entries: (await listBlocklist(c.env.DB)).map(toBlocklistEntry) }
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
    upsertBlocklistStatement(c.env.DB, row, admin.id),
    auditStatement(c, {
      action: 'admin.blocklist_added',
      targetType: 'infohash',
      targetId: row.infohash,
      meta: { reason: row.reason },
    }),
  ])
  for (const id of await listUnfinishedJobIds(c.env.DB, row.infohash)) {
    await jobProgress(c.env, id).failPermanently(id, {
      code: 'blocked',
      message: `This content is blocked: ${row.reason}`,
    })
  }
  return toBlocklistEntry(row)
})

route(adminRoutes, endpoints.adminRemoveBlocklist, async (c, { params }) => {
  if ((await getBlockReason(c.env.DB, params.infohash)) === null)
    throw new HttpError(404, 'not_found', 'That info hash is not on the blocklist.')
  await c.env.DB.batch([
    deleteBlocklistStatement(c.env.DB, params.infohash),
    auditStatement(c, {
      action: 'admin.blocklist_removed',
      targetType: 'infohash',
      targetId: params.infohash,
    }),
  ])
  return undefined
})

route(adminRoutes, endpoints.adminListAgents, async (c) => {
  const now = Date.now()
  const [rows, queue] = await Promise.all([listAgents(c.env.DB), queueSummary(c.env.DB, now)])
  return { agents: rows.map((row) => toAgentInfo(row, now)), queue }
})

route(adminRoutes, endpoints.adminDrainAgent, async (c, { params, body }) => {
  const agent = await getAgent(c.env.DB, params.id)
  if (!agent) throw new HttpError(404, 'not_found', 'No such agent.')
  // A parked torrent moves no bytes on the agent: it waits in line, at its place, for another.
  // Looked up on every drain, so a second POST moves what a failed first one left behind.
  const parked = body.draining ? await listParkedJobIds(c.env.DB, agent.id) : []
  await c.env.DB.batch([
    agentDrainingStatement(c.env.DB, agent.id, body.draining),
    auditStatement(c, {
      action: 'admin.agent_drain',
      targetType: 'agent',
      targetId: agent.id,
      meta: { draining: body.draining, wasDraining: agent.draining === 1, movedJobs: parked },
    }),
  ])
  await moveOffDrainingAgent(c.env, parked)
  // An agent that stops draining has room again.
  if (!body.draining) await fillLine(c.env)
  return toAgentInfo({ ...agent, draining: body.draining ? 1 : 0 })
})

route(adminRoutes, endpoints.adminListAlerts, async (c) => {
  return alertList(c.env)
})
