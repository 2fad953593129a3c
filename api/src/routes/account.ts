import { Hono } from 'hono'
import { deleteCookie } from 'hono/cookie'
import { endpoints } from '@tseeder/shared'
import type { AppContext, AppEnv } from '../env.ts'
import {
  deleteUserStatement,
  listJobRowsOfUser,
  listLiveTokenIds,
  revokeSessionsOf,
  setPasswordStatement,
} from '../db/account.ts'
import { auditStatement } from '../db/audit.ts'
import { findUserById, passwordOf, type UserRow } from '../db/users.ts'
import { forgetReads, userSessions } from '../durable/user-session.ts'
import { removeJob } from '../jobs/remove.ts'
import { hashPassword, randomToken, verifyPassword } from '../lib/crypto.ts'
import { HttpError } from '../lib/errors.ts'
import { requireAuth, route } from '../lib/route.ts'
import { SESSION_COOKIE } from '../middleware/authenticate.ts'
import { limitPerIp, RATE_LIMITS } from '../middleware/rate-limit.ts'

/**
 * The signed-in user's own account (password, all sessions at once, deleting it all), and the
 * admin's password reset, which stands in for the email reset there is no email service for.
 */
export const accountRoutes = new Hono<AppEnv>()

/** A wrong password is a field error, so the form can put it under the field it belongs to. */
async function checkPassword(user: UserRow, password: string, field: string): Promise<void> {
  if (await verifyPassword(password, passwordOf(user))) return
  throw new HttpError(400, 'invalid_credentials', 'That is not your current password.', {
    issues: [{ path: [field], message: 'is not your current password' }],
  })
}

/** Revokes sessions in D1 and closes the live streams they opened. */
async function signOutSessions(
  c: AppContext,
  userId: string,
  reason: string,
  keepId: string | null,
): Promise<string[]> {
  const revoked = await revokeSessionsOf(c.env.DB, userId, reason, Date.now(), keepId)
  const sessions = userSessions(c.env, userId)
  await Promise.all(revoked.map((id) => sessions.closeStreams(id)))
  return revoked
}

function clearSessionCookie(c: AppContext): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'Strict' })
}

// The password checks share sign-in's per-IP limit: a left-open tab must not become a way to
// guess the password.
const passwordChecks = { before: [limitPerIp(RATE_LIMITS.loginPerIp)] }

route(
  accountRoutes,
  endpoints.changePassword,
  async (c, { body }) => {
    const { user, sessionId } = requireAuth(c)
    await checkPassword(user, body.currentPassword, 'currentPassword')
    if (body.currentPassword === body.newPassword) {
      throw new HttpError(
        400,
        'validation_failed',
        'The new password is the same as the old one.',
        {
          issues: [{ path: ['newPassword'], message: 'must differ from the current password' }],
        },
      )
    }
    const now = Date.now()
    await c.env.DB.batch([
      setPasswordStatement(c.env.DB, user.id, await hashPassword(body.newPassword), now),
      auditStatement(c, { action: 'user.password_changed', targetType: 'user', targetId: user.id }),
    ])
    await forgetReads(c.env, user.id)
    const revoked = await signOutSessions(c, user.id, 'password_changed', sessionId ?? null)
    if (revoked.length > 0) {
      await c.env.DB.batch([
        auditStatement(c, {
          action: 'session.revoked_all',
          targetType: 'user',
          targetId: user.id,
          meta: { reason: 'password_changed', sessions: revoked.length },
        }),
      ])
    }
    return undefined
  },
  passwordChecks,
)

route(accountRoutes, endpoints.signOutEverywhere, async (c) => {
  const { user } = requireAuth(c)
  const revoked = await signOutSessions(c, user.id, 'signed_out_everywhere', null)
  await c.env.DB.batch([
    auditStatement(c, {
      action: 'session.revoked_all',
      targetType: 'user',
      targetId: user.id,
      meta: { reason: 'signed_out_everywhere', sessions: revoked.length },
    }),
  ])
  clearSessionCookie(c)
  return undefined
})

route(
  accountRoutes,
  endpoints.deleteAccount,
  async (c, { body }) => {
    const { user } = requireAuth(c)
    await checkPassword(user, body.password, 'password')
    const db = c.env.DB
    // Each job goes the way a single delete does: its agent stopped, its content freed when no
    // one else holds it. Then the row, whose sessions, tokens and subscriptions cascade.
    const jobs = await listJobRowsOfUser(db, user.id)
    for (const job of jobs) await removeJob(c.env, job)
    const tokens = await listLiveTokenIds(db, user.id)
    const sessions = await signOutSessions(c, user.id, 'account_deleted', null)
    await Promise.all(tokens.map((id) => userSessions(c.env, user.id).closeStreams(id)))
    await db.batch([
      deleteUserStatement(db, user.id),
      auditStatement(c, {
        action: 'user.deleted',
        actorId: user.id,
        actorType: user.role,
        targetType: 'user',
        targetId: user.id,
        meta: { jobs: jobs.length, tokens: tokens.length, sessions: sessions.length },
      }),
    ])
    await forgetReads(c.env, user.id)
    clearSessionCookie(c)
    return undefined
  },
  passwordChecks,
)

route(accountRoutes, endpoints.adminResetPassword, async (c, { params }) => {
  const admin = requireAuth(c).user
  const target = await findUserById(c.env.DB, params.id)
  if (!target) throw new HttpError(404, 'not_found', 'No such user.')
  if (target.id === admin.id) {
    throw new HttpError(409, 'conflict', 'Change your own password under Settings instead.')
  }
  // 15 random bytes: 20 characters to read out or paste, shown to the admin this once only.
  const password = randomToken(15)
  await c.env.DB.batch([
    setPasswordStatement(c.env.DB, target.id, await hashPassword(password), Date.now(), true),
    auditStatement(c, {
      action: 'admin.password_reset',
      targetType: 'user',
      targetId: target.id,
    }),
  ])
  await forgetReads(c.env, target.id)
  await signOutSessions(c, target.id, 'password_reset', null)
  return { password }
})
