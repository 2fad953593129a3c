import { Hono } from 'hono'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from './env.ts'
import { authenticate } from './middleware/authenticate.ts'
import { notFound, onError } from './lib/errors.ts'
import { log } from './lib/log.ts'
import { handleDeadLetters, handleDispatchBatch } from './jobs/dispatch.ts'
import { runScheduled } from './jobs/maintenance.ts'
import type { DispatchMessage } from './jobs/queue.ts'
import { adminRoutes } from './routes/admin.ts'
import { authRoutes } from './routes/auth.ts'
import { fileRoutes } from './routes/files.ts'
import { healthRoutes } from './routes/health.ts'
import { internalRoutes } from './routes/internal.ts'
import { jobRoutes } from './routes/jobs.ts'
import { pushRoutes } from './routes/push.ts'
import { sessionRoutes } from './routes/sessions.ts'
import { tokenRoutes } from './routes/tokens.ts'

export { JobProgressDO } from './durable/job-progress.ts'
export { RateLimiterDO } from './durable/rate-limiter.ts'
export { UserSessionDO } from './durable/user-session.ts'

/** The dead-letter queue's name, as in wrangler.toml. */
export const DEAD_LETTER_QUEUE = 'tseeder-jobs-dlq'

/** Every route module, mounted in this order; a test checks each endpoint of the table is here. */
export const routeModules = {
  health: healthRoutes,
  auth: authRoutes,
  sessions: sessionRoutes,
  tokens: tokenRoutes,
  jobs: jobRoutes,
  files: fileRoutes,
  push: pushRoutes,
  admin: adminRoutes,
  internal: internalRoutes,
}

export const app = new Hono<AppEnv>()

app.use(requestId())
app.use(secureHeaders())
app.use(async function accessLog(c, next) {
  const started = Date.now()
  await next()
  log.info('request', {
    requestId: c.get('requestId'),
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    ms: Date.now() - started,
  })
})
app.use('/api/*', authenticate)
for (const module of Object.values(routeModules)) app.route('/', module)
app.notFound(notFound)
app.onError(onError)

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<DispatchMessage>, env: Env, _ctx: ExecutionContext) {
    if (batch.queue === DEAD_LETTER_QUEUE) await handleDeadLetters(batch, env)
    else await handleDispatchBatch(batch, env)
  },
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    ctx.waitUntil(runScheduled(controller.cron, env))
  },
} satisfies ExportedHandler<Env, DispatchMessage>
