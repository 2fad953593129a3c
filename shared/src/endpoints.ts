import { z } from 'zod'
import { IdParams } from './schemas/common.ts'
import {
  AdminUserList,
  AdminUserPatch,
  AdminUserQuery,
  AuditList,
  AuditQuery,
} from './schemas/admin.ts'
import { CreatedToken, CreateTokenBody, type Scope, TokenList } from './schemas/token.ts'
import {
  AuthResponse,
  AupBody,
  LoginBody,
  MeResponse,
  RegisterBody,
  SessionList,
  User,
} from './schemas/user.ts'

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
  /** `null` for answers without a body (204). */
  response: z.ZodType | null
  status: 200 | 201 | 204
}

function endpoint<const E extends Endpoint>(e: E): E {
  return e
}

export const HealthResponse = z.object({ ok: z.literal(true) })

/**
 * Every route of the public contract: the client builds its calls from this table and the API
 * registers its handlers, auth rules and validators from the same entries.
 */
export const endpoints = {
  health: endpoint({
    method: 'GET',
    path: '/api/health',
    access: 'public',
    response: HealthResponse,
    status: 200,
  }),

  register: endpoint({
    method: 'POST',
    path: '/api/auth/register',
    access: 'public',
    body: RegisterBody,
    response: AuthResponse,
    status: 201,
  }),
  login: endpoint({
    method: 'POST',
    path: '/api/auth/login',
    access: 'public',
    body: LoginBody,
    response: AuthResponse,
    status: 200,
  }),
  logout: endpoint({
    method: 'POST',
    path: '/api/auth/logout',
    access: 'session',
    response: null,
    status: 204,
  }),
  me: endpoint({
    method: 'GET',
    path: '/api/auth/me',
    access: 'user',
    response: MeResponse,
    status: 200,
  }),
  acceptAup: endpoint({
    method: 'POST',
    path: '/api/auth/aup',
    access: 'session',
    body: AupBody,
    response: z.object({ user: User }),
    status: 200,
  }),

  listSessions: endpoint({
    method: 'GET',
    path: '/api/sessions',
    access: 'session',
    response: SessionList,
    status: 200,
  }),
  revokeSession: endpoint({
    method: 'DELETE',
    path: '/api/sessions/:id',
    access: 'session',
    params: IdParams,
    response: null,
    status: 204,
  }),

  listTokens: endpoint({
    method: 'GET',
    path: '/api/tokens',
    access: 'session',
    response: TokenList,
    status: 200,
  }),
  createToken: endpoint({
    method: 'POST',
    path: '/api/tokens',
    access: 'session',
    body: CreateTokenBody,
    response: CreatedToken,
    status: 201,
  }),
  revokeToken: endpoint({
    method: 'DELETE',
    path: '/api/tokens/:id',
    access: 'session',
    params: IdParams,
    response: null,
    status: 204,
  }),

  adminListUsers: endpoint({
    method: 'GET',
    path: '/api/admin/users',
    access: 'admin',
    query: AdminUserQuery,
    response: AdminUserList,
    status: 200,
  }),
  adminUpdateUser: endpoint({
    method: 'PATCH',
    path: '/api/admin/users/:id',
    access: 'admin',
    params: IdParams,
    body: AdminUserPatch,
    response: z.object({ user: User }),
    status: 200,
  }),
  adminAudit: endpoint({
    method: 'GET',
    path: '/api/admin/audit',
    access: 'admin',
    query: AuditQuery,
    response: AuditList,
    status: 200,
  }),
} as const satisfies Record<string, Endpoint>

export type Endpoints = typeof endpoints
export type EndpointName = keyof Endpoints
