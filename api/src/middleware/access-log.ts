import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { AppEnv } from '../env.ts'
import { log, loggablePath } from '../lib/log.ts'
import { writeMetric } from '../metrics/points.ts'

/** Middleware (`app.use`) is registered for every method; a route for one. */
const MIDDLEWARE_METHOD = 'ALL'

/**
 * The pattern of the route that answers this request (`/api/jobs/:id`), or `unmatched` (a 404 no
 * route claimed): metrics group by it, so a job id or a `/dl/` token never becomes a label.
 */
export function routePattern(c: Context): string {
  return matchedRoutes(c).findLast((r) => r.method !== MIDDLEWARE_METHOD)?.path ?? 'unmatched'
}

/**
 * Logs every request once it is answered (`msg: "request"`, with its request id) and writes its
 * `request` metric point: method, route pattern, status and latency.
 *
 * @example
 * app.use(accessLog())
 */
export function accessLog(): MiddlewareHandler<AppEnv> {
  return async function accessLog(c, next) {
    const started = Date.now()
    await next()
    const ms = Date.now() - started
    const { method } = c.req
    const { status } = c.res
    log.info('request', {
      requestId: c.get('requestId'),
      method,
      path: loggablePath(c.req.path),
      status,
      ms,
    })
    writeMetric(c.env, { kind: 'request', method, route: routePattern(c), status, ms })
  }
}
