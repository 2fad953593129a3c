import { Hono } from 'hono'
import { endpoints } from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { auditRecord, auditStatement } from '../db/audit.ts'
import { userSessions } from '../durable/user-session.ts'
import {
  countActiveTokens,
  insertTokenStatement,
  listActiveTokens,
  revokeToken,
  toApiToken,
  TOKEN_PREFIX,
  type TokenRow,
} from '../db/tokens.ts'
import { randomToken, sha256Hex } from '../lib/crypto.ts'
import { HttpError } from '../lib/errors.ts'
import { requireAuth, route } from '../lib/route.ts'

/** Enough for every device and script a person has; more usually means a leak in a loop. */
export const MAX_TOKENS_PER_USER = 50

export const tokenRoutes = new Hono<AppEnv>()

route(tokenRoutes, endpoints.listTokens, async (c) => {
  const { user } = requireAuth(c)
  return { tokens: (await listActiveTokens(c.env.DB, user.id)).map(toApiToken) }
})

route(tokenRoutes, endpoints.createToken, async (c, { body }) => {
  const { user } = requireAuth(c)
  if ((await countActiveTokens(c.env.DB, user.id)) >= MAX_TOKENS_PER_USER) {
    throw new HttpError(
      409,
      'conflict',
      `You already have ${MAX_TOKENS_PER_USER} tokens; revoke one first.`,
    )
  }
  const token = TOKEN_PREFIX + randomToken(32)
  const row: TokenRow = {
    id: crypto.randomUUID(),
    user_id: user.id,
    name: body.name,
    token_prefix: token.slice(0, TOKEN_PREFIX.length + 6),
    scopes: body.scopes.join(' '),
    created_at: Date.now(),
    last_used_at: null,
  }
  await c.env.DB.batch([
    insertTokenStatement(c.env.DB, row, await sha256Hex(token)),
    auditStatement(c, {
      action: 'token.created',
      targetType: 'api_token',
      targetId: row.id,
      meta: { name: row.name, scopes: body.scopes },
    }),
  ])
  return { ...toApiToken(row), token }
})

route(tokenRoutes, endpoints.revokeToken, async (c, { params }) => {
  const { user } = requireAuth(c)
  const audit = auditRecord(c, {
    action: 'token.revoked',
    targetType: 'api_token',
    targetId: params.id,
  })
  if (!(await revokeToken(c.env.DB, params.id, user.id, Date.now(), audit)))
    throw new HttpError(404, 'not_found', 'No such token.')
  await userSessions(c.env, user.id).closeStreams(params.id)
  return undefined
})
