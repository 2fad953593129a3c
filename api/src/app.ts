import { Hono } from 'hono'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { countApiRequests } from './alerts/request-counter.ts'
import type { AppEnv } from './env.ts'
import { accessLog } from './middleware/access-log.ts'
import { authenticate } from './middleware/authenticate.ts'
import { notFound, onError } from './lib/errors.ts'
import { adminRoutes } from './routes/admin.ts'
import { adminJobRoutes } from './routes/admin-jobs.ts'
import { authRoutes } from './routes/auth.ts'
import { configRoutes } from './routes/config.ts'
import { fileRoutes } from './routes/files.ts'
import { healthRoutes } from './routes/health.ts'
import { internalRoutes } from './routes/internal.ts'
import { jobRoutes } from './routes/jobs.ts'
import { linkListRoutes } from './routes/link-lists.ts'
import { openApiRoutes } from './routes/openapi.ts'
import { pushRoutes } from './routes/push.ts'
import { accountRoutes } from './routes/account.ts'
import { sessionRoutes } from './routes/sessions.ts'
import { shareRoutes } from './routes/share.ts'
import { tokenRoutes } from './routes/tokens.ts'
import { webhookRoutes } from './routes/webhooks.ts'
import { zipRoutes } from './routes/zip.ts'

/** Every route module, mounted in this order; a test checks each endpoint of the table is here. */
export const routeModules = {
  health: healthRoutes,
  config: configRoutes,
  openApi: openApiRoutes,
  auth: authRoutes,
  sessions: sessionRoutes,
  account: accountRoutes,
  tokens: tokenRoutes,
  jobs: jobRoutes,
  files: fileRoutes,
  linkLists: linkListRoutes,
  zip: zipRoutes,
  push: pushRoutes,
  webhooks: webhookRoutes,
  admin: adminRoutes,
  adminJobs: adminJobRoutes,
  internal: internalRoutes,
  share: shareRoutes,
}

export const app = new Hono<AppEnv>()

app.use(requestId())
app.use(secureHeaders())
app.use(accessLog())
app.use('/api/*', countApiRequests())
app.use('/api/*', authenticate)
for (const module of Object.values(routeModules)) app.route('/', module)
app.notFound(notFound)
app.onError(onError)
