import { Hono } from 'hono'
import { deleteCookie } from 'hono/cookie'
import { endpoints } from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { auditRecord } from '../db/audit.ts'
import { listActiveSessions, toDeviceSession } from '../db/sessions.ts'
import { userSessions } from '../durable/user-session.ts'
import { SESSION_COOKIE } from '../middleware/authenticate.ts'
import { HttpError } from '../lib/errors.ts'
import { requireAuth, route } from '../lib/route.ts'

export const sessionRoutes = new Hono<AppEnv>()

route(sessionRoutes, endpoints.listSessions, async (c) => {
  const { user, sessionId } = requireAuth(c)
  const rows = await listActiveSessions(c.env.DB, user.id)
  return { sessions: rows.map((row) => toDeviceSession(row, sessionId)) }
})

route(sessionRoutes, endpoints.revokeSession, async (c, { params }) => {
  const { user, sessionId } = requireAuth(c)
  const revoked = await userSessions(c.env, user.id).revokeSession(
    user.id,
    params.id,
    'revoked',
    auditRecord(c, { action: 'session.revoked', targetType: 'session', targetId: params.id }),
  )
  if (!revoked) throw new HttpError(404, 'not_found', 'No such active session.')
  if (params.id === sessionId) {
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'Strict' })
  }
  return undefined
})
