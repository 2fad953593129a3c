import { Hono } from 'hono'
import { endpoints } from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { auditStatement, toAuditEntry, type AuditRow } from '../db/audit.ts'
import { findUserById, toUser, USER_COLUMNS, type UserRow } from '../db/users.ts'
import { userSessions } from '../durable/user-session.ts'
import { HttpError } from '../lib/errors.ts'
import { requireAuth, route } from '../lib/route.ts'
import { decodeCursor, encodeCursor } from '../lib/time.ts'

export const adminRoutes = new Hono<AppEnv>()

function badCursor(): HttpError {
  return new HttpError(
    400,
    'validation_failed',
    'Invalid query: cursor is not one this server gave out.',
  )
}

route(adminRoutes, endpoints.adminListUsers, async (c, { query }) => {
  const cursor = decodeCursor(query.cursor)
  if (query.cursor && !cursor) throw badCursor()
  const where: string[] = []
  const binds: unknown[] = []
  if (query.q) {
    where.push("u.email LIKE ? ESCAPE '\\'")
    binds.push(`%${query.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`)
  }
  if (cursor) {
    where.push('(u.created_at, u.id) < (?, ?)')
    binds.push(cursor[0], cursor[1])
  }
  const { results } = await c.env.DB.prepare(
    `SELECT ${USER_COLUMNS} FROM users u ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY u.created_at DESC, u.id DESC LIMIT ?`,
  )
    .bind(...binds, query.limit + 1)
    .all<UserRow>()
  const page = results.slice(0, query.limit)
  const last = page.at(-1)
  return {
    users: page.map(toUser),
    nextCursor:
      results.length > query.limit && last ? encodeCursor([last.created_at, last.id]) : null,
  }
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
  const cursor = decodeCursor(query.cursor)
  if (query.cursor && (!cursor || typeof cursor[0] !== 'number')) throw badCursor()
  const where: string[] = []
  const binds: unknown[] = []
  if (query.actorId) {
    where.push('actor_id = ?')
    binds.push(query.actorId)
  }
  if (query.action) {
    where.push('action = ?')
    binds.push(query.action)
  }
  if (cursor) {
    where.push('id < ?')
    binds.push(cursor[0])
  }
  const { results } = await c.env.DB.prepare(
    `SELECT * FROM audit_logs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
  )
    .bind(...binds, query.limit + 1)
    .all<AuditRow>()
  const page = results.slice(0, query.limit)
  const last = page.at(-1)
  return {
    entries: page.map(toAuditEntry),
    nextCursor: results.length > query.limit && last ? encodeCursor([last.id]) : null,
  }
})
