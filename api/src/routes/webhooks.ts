import { Hono } from 'hono'
import { endpoints, MAX_WEBHOOKS_PER_USER } from '@tseeder/shared'
import { auditStatement } from '../db/audit.ts'
import {
  deleteWebhookStatement,
  getOwnWebhook,
  insertWebhook,
  listWebhookAttempts,
  listWebhooks,
  rotateWebhookSecret,
  toWebhook,
  webhookBinding,
} from '../db/webhooks.ts'
import type { AppEnv } from '../env.ts'
import { randomToken } from '../lib/crypto.ts'
import { HttpError } from '../lib/errors.ts'
import { seal } from '../lib/sealed-secret.ts'
import { requireAuth, route } from '../lib/route.ts'
import { webhookUrlProblem, webhookUrlRules } from '../webhooks/endpoint-rules.ts'

export const webhookRoutes = new Hono<AppEnv>()

/** Attempts the delivery log shows, newest first. */
const LOG_LENGTH = 50

function newSecret(): string {
  return `whsec_${randomToken(32)}`
}

const notFound = () => new HttpError(404, 'not_found', 'No such webhook.')

route(webhookRoutes, endpoints.listWebhooks, async (c) => {
  const { user } = requireAuth(c)
  return { webhooks: (await listWebhooks(c.env.DB, user.id)).map(toWebhook) }
})

route(webhookRoutes, endpoints.createWebhook, async (c, { body }) => {
  const { user } = requireAuth(c)
  const problem = webhookUrlProblem(body.url, webhookUrlRules(c.env))
  if (problem) {
    throw new HttpError(400, 'validation_failed', `Invalid body: url ${problem}.`, {
      issues: [{ path: ['url'], message: problem }],
    })
  }
  const now = Date.now()
  const id = crypto.randomUUID()
  const secret = newSecret()
  const row = await insertWebhook(
    c.env.DB,
    {
      id,
      user_id: user.id,
      url: body.url,
      secret: await seal(c.env, webhookBinding(id), secret),
      events: JSON.stringify(body.events),
      created_at: now,
      secret_rotated_at: now,
    },
    MAX_WEBHOOKS_PER_USER,
  )
  if (!row) {
    throw new HttpError(
      409,
      'conflict',
      `An account may have at most ${MAX_WEBHOOKS_PER_USER} webhooks; delete one first.`,
    )
  }
  await auditStatement(c, {
    action: 'webhook.created',
    targetType: 'webhook',
    targetId: row.id,
    meta: { host: new URL(row.url).host, events: body.events },
  }).run()
  return { ...toWebhook(row), secret }
})

route(webhookRoutes, endpoints.deleteWebhook, async (c, { params }) => {
  const { user } = requireAuth(c)
  const [deleted] = await c.env.DB.batch([
    deleteWebhookStatement(c.env.DB, params.id, user.id),
    auditStatement(c, { action: 'webhook.deleted', targetType: 'webhook', targetId: params.id }),
  ])
  if (!deleted?.meta.changes) throw notFound()
  return undefined
})

route(webhookRoutes, endpoints.rotateWebhookSecret, async (c, { params }) => {
  const { user } = requireAuth(c)
  const secret = newSecret()
  const sealed = await seal(c.env, webhookBinding(params.id), secret)
  const row = await rotateWebhookSecret(c.env.DB, params.id, user.id, sealed, Date.now())
  if (!row) throw notFound()
  await auditStatement(c, {
    action: 'webhook.secret_rotated',
    targetType: 'webhook',
    targetId: row.id,
  }).run()
  return { ...toWebhook(row), secret }
})

route(webhookRoutes, endpoints.listWebhookAttempts, async (c, { params }) => {
  const { user } = requireAuth(c)
  const hook = await getOwnWebhook(c.env.DB, params.id, user.id)
  if (!hook) throw notFound()
  return { attempts: await listWebhookAttempts(c.env.DB, hook.id, LOG_LENGTH) }
})
