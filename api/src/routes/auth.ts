import { Hono } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { endpoints, type User } from '@tseeder/shared'
import type { AppContext, AppEnv } from '../env.ts'
import { auditRecord, auditStatement, clientIp } from '../db/audit.ts'
import { getPlan } from '../db/plans.ts'
import { getUsage } from '../db/usage.ts'
import { deviceLabelFrom } from '../db/sessions.ts'
import {
  acceptAupStatement,
  findUserByEmail,
  findUserById,
  insertUserStatements,
  isUniqueViolation,
  passwordOf,
  toUser,
  type UserRow,
} from '../db/users.ts'
import { forgetReads, userSessions } from '../durable/user-session.ts'
import { SESSION_COOKIE } from '../middleware/authenticate.ts'
import {
  ensureSignInAllowed,
  limitPerIp,
  RATE_LIMITS,
  recordSignInFailure,
} from '../middleware/rate-limit.ts'
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  randomToken,
  sha256Hex,
  verifyPassword,
} from '../lib/crypto.ts'
import { HttpError } from '../lib/errors.ts'
import { requireAuth, route } from '../lib/route.ts'
import { billingPeriod, DAY } from '../lib/time.ts'
import { verifyTurnstile } from '../lib/turnstile.ts'

export const SESSION_TTL = 30 * DAY

export const authRoutes = new Hono<AppEnv>()

/**
 * Opens a new session (a new id on every sign-in), sets the cookie and audits it, including any
 * older session the plan's limit pushed out. Returns the session's CSRF token.
 */
async function startSession(c: AppContext, user: UserRow, deviceLabel?: string): Promise<string> {
  const token = randomToken(32)
  const csrfToken = randomToken(32)
  const now = Date.now()
  const sessionId = crypto.randomUUID()
  const userAgent = c.req.header('user-agent')?.slice(0, 512) ?? null
  const plan = await getPlan(c.env.DB, user.plan_id)
  const sessions = userSessions(c.env, user.id)

  // Signing in again from a browser that still holds a session replaces that session.
  const previous = c.get('auth')
  if (previous?.via === 'session' && previous.user.id === user.id && previous.sessionId) {
    await sessions.revokeSession(
      user.id,
      previous.sessionId,
      'relogin',
      auditRecord(c, {
        action: 'session.replaced',
        actorId: null,
        actorType: 'system',
        targetType: 'session',
        targetId: previous.sessionId,
        meta: { userId: user.id, reason: 'relogin', by: sessionId },
      }),
    )
  }
  await sessions.openSession(
    {
      id: sessionId,
      userId: user.id,
      tokenHash: await sha256Hex(token),
      csrfToken,
      deviceLabel: deviceLabel ?? deviceLabelFrom(userAgent),
      ip: clientIp(c),
      userAgent,
      now,
      expiresAt: now + SESSION_TTL,
    },
    plan.maxSessions,
    {
      created: auditRecord(c, {
        action: 'session.created',
        actorId: user.id,
        actorType: user.role === 'admin' ? 'admin' : 'user',
        targetType: 'session',
        targetId: sessionId,
      }),
      evicted: auditRecord(c, {
        action: 'session.evicted',
        actorId: null,
        actorType: 'system',
        targetType: 'session',
        meta: { userId: user.id, reason: 'session_limit', limit: plan.maxSessions },
      }),
    },
  )
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    path: '/',
    maxAge: SESSION_TTL / 1000,
  })
  return csrfToken
}

route(
  authRoutes,
  endpoints.register,
  async (c, { body }) => {
    await verifyTurnstile(c, body.turnstileToken)
    if (await findUserByEmail(c.env.DB, body.email)) {
      throw new HttpError(
        409,
        'email_taken',
        'An account with this email already exists. Sign in instead.',
      )
    }
    const now = Date.now()
    const id = crypto.randomUUID()
    // Registration never grants admin: emails are not verified, so whoever registered a listed
    // address first would win it. Admins are made in D1 by `npm run admin:create`.
    const role = 'user'
    const password = await hashPassword(body.password)
    try {
      await c.env.DB.batch([
        ...insertUserStatements(
          c.env.DB,
          { id, email: body.email, password, role, now },
          billingPeriod(now),
        ),
        auditStatement(c, {
          action: 'user.registered',
          actorId: id,
          actorType: role,
          targetType: 'user',
          targetId: id,
          meta: { role },
        }),
      ])
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new HttpError(
          409,
          'email_taken',
          'An account with this email already exists. Sign in instead.',
        )
      }
      throw error
    }
    const user = (await findUserById(c.env.DB, id))!
    const csrfToken = await startSession(c, user)
    return { user: toUser(user), csrfToken }
  },
  { before: [limitPerIp(RATE_LIMITS.registerPerIp)] },
)

route(
  authRoutes,
  endpoints.login,
  async (c, { body }) => {
    const challengeSolved = await verifyTurnstile(c, body.turnstileToken)
    await ensureSignInAllowed(c, body.email, challengeSolved)
    const user = await findUserByEmail(c.env.DB, body.email)
    const valid = await verifyPassword(body.password, user ? passwordOf(user) : DUMMY_PASSWORD_HASH)
    if (!user || !valid) {
      await c.env.DB.batch([
        auditStatement(c, {
          action: 'auth.login_failed',
          actorId: user?.id ?? null,
          actorType: 'anonymous',
          targetType: 'user',
          ...(user ? { targetId: user.id } : {}),
        }),
      ])
      await recordSignInFailure(c, body.email)
      throw new HttpError(401, 'invalid_credentials', 'The email or password is incorrect.')
    }
    if (user.suspended) {
      throw new HttpError(403, 'account_suspended', 'This account is suspended. Contact support.')
    }
    const csrfToken = await startSession(c, user, body.deviceLabel)
    return { user: toUser(user), csrfToken }
  },
  { before: [limitPerIp(RATE_LIMITS.loginPerIp)] },
)

route(authRoutes, endpoints.logout, async (c) => {
  const auth = requireAuth(c)
  await userSessions(c.env, auth.user.id).revokeSession(
    auth.user.id,
    auth.sessionId!,
    'logout',
    auditRecord(c, { action: 'session.logout', targetType: 'session', targetId: auth.sessionId! }),
  )
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'Strict' })
  return undefined
})

route(authRoutes, endpoints.me, async (c) => {
  const { user, csrfToken } = requireAuth(c)
  const [plan, usage] = await Promise.all([
    getPlan(c.env.DB, user.plan_id),
    getUsage(c.env.DB, user.id),
  ])
  return { user: toUser(user), csrfToken, plan, usage }
})

route(authRoutes, endpoints.acceptAup, async (c) => {
  const { user } = requireAuth(c)
  if (user.aup_accepted_at !== null) return { user: toUser(user) satisfies User }
  const now = Date.now()
  await c.env.DB.batch([
    acceptAupStatement(c.env.DB, user.id, now),
    auditStatement(c, { action: 'user.aup_accepted', targetType: 'user', targetId: user.id }),
  ])
  await forgetReads(c.env, user.id)
  return { user: toUser({ ...user, aup_accepted_at: now, updated_at: now }) }
})
