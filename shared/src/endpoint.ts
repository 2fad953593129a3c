import type { z } from 'zod'
import type { Scope } from './schemas/token.ts'

/**
 * Who may call an endpoint:
 * - `public`: anyone;
 * - `user`: a signed-in browser session, or an API token (which needs `scope` when one is set);
 * - `session`: a signed-in browser session only (account management: tokens cannot mint tokens);
 * - `admin`: a browser session of a user whose role is `admin`.
 */
export type Access = 'public' | 'user' | 'session' | 'admin'

export interface Endpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  /** Hono-style path with `:name` parameters. */
  path: `/${string}`
  access: Access
  scope?: Scope
  /** The caller must have accepted the acceptable use policy. */
  aup?: boolean
  params?: z.ZodType
  query?: z.ZodType
  body?: z.ZodType
  /** When set, the body may also be `multipart/form-data` matching this schema. */
  form?: z.ZodType
  /** `null` for answers without a body (204). */
  response: z.ZodType | null
  /** The usual success status; `createJob` also answers 200 for a job the user already has. */
  status: 200 | 201 | 204
}

/**
 * Declares one entry of the endpoint table, keeping its literal types (method, path, schemas).
 *
 * @example
 * const health = endpoint({ method: 'GET', path: '/api/health', access: 'public', response: HealthResponse, status: 200 })
 */
export function endpoint<const E extends Endpoint>(e: E): E {
  return e
}
