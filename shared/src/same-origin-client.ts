import {
  type Client,
  type ClientOptions,
  createClientFrom,
  type ErrorReader,
} from './client-core.ts'
import { routes } from './routes.ts'

/** The contract's error shape, checked by hand: proxies and CDNs answer errors of their own. */
export const readErrorBodyUnchecked: ErrorReader = (body) => {
  const error: unknown =
    body && typeof body === 'object' ? (body as { error?: unknown }).error : null
  if (!error || typeof error !== 'object') return null
  const { code, message, issues, limit } = error as Record<string, unknown>
  if (typeof code !== 'string' || typeof message !== 'string') return null
  return {
    code,
    message,
    issues: Array.isArray(issues)
      ? (issues as NonNullable<ReturnType<ErrorReader>>['issues'])
      : undefined,
    limit: typeof limit === 'string' ? limit : undefined,
  }
}

/**
 * The typed client for a page served by the API's own origin (the web app): the same methods
 * as `createClient`, but 2xx answers are typed, not parsed, so the page loads no zod to read
 * them. The API and its tests check every answer against the endpoint table; a page that ships
 * with its API trusts it as it trusts its own code. Error answers are still checked for shape.
 *
 * @example
 * const api = createSameOriginClient({ baseUrl: '', auth: { type: 'cookie' } })
 * const { jobs } = await api.listJobs()
 */
export function createSameOriginClient(options: ClientOptions): Client {
  return createClientFrom(routes, readErrorBodyUnchecked, options)
}
