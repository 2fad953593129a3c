import { z } from 'zod'
import { IdParams } from './schemas/common.ts'
import type { JobAction } from './schemas/status.ts'
import {
  AdminUserList,
  AdminUserPatch,
  AdminUserQuery,
  AuditList,
  AuditQuery,
} from './schemas/admin.ts'
import {
  AdminJob,
  AdminJobActionBody,
  AdminJobList,
  AdminJobQuery,
  AgentDrainBody,
  AgentInfo,
  AgentList,
  AlertList,
  BlocklistBody,
  BlocklistEntry,
  BlocklistList,
  BlocklistParams,
} from './schemas/admin.ts'
import {
  CreateJobBody,
  CreateJobForm,
  FileLink,
  FileList,
  Job,
  JobHistory,
  JobList,
  JobWithFiles,
  ListJobsQuery,
  PublicConfig,
  ResumeJobBody,
} from './schemas/job.ts'
import { PushKey, PushSubscriptionBody } from './schemas/push.ts'
import { CreatedToken, CreateTokenBody, type Scope, TokenList } from './schemas/token.ts'
import { accountEndpoints } from './account-endpoints.ts'
import { zipEndpoints } from './zip-endpoints.ts'
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
  /** When set, the body may also be `multipart/form-data` matching this schema. */
  form?: z.ZodType
  /** `null` for answers without a body (204). */
  response: z.ZodType | null
  /** The usual success status; `createJob` also answers 200 for a job the user already has. */
  status: 200 | 201 | 204
}

function endpoint<const E extends Endpoint>(e: E): E {
  return e
}

export const HealthResponse = z.object({ ok: z.literal(true) })

function jobAction<A extends JobAction>(action: A) {
  return endpoint({
    method: 'POST',
    path: `/api/jobs/:id/${action}`,
    access: 'user',
    scope: 'jobs:write',
    aup: true,
    params: IdParams,
    response: Job,
    status: 200,
  })
}

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

  config: endpoint({
    method: 'GET',
    path: '/api/config',
    access: 'public',
    response: PublicConfig,
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

  ...accountEndpoints,
  ...zipEndpoints,

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

  createJob: endpoint({
    method: 'POST',
    path: '/api/jobs',
    access: 'user',
    scope: 'jobs:write',
    aup: true,
    body: CreateJobBody,
    form: CreateJobForm,
    response: Job,
    status: 201,
  }),
  listJobs: endpoint({
    method: 'GET',
    path: '/api/jobs',
    access: 'user',
    scope: 'jobs:read',
    aup: true,
    query: ListJobsQuery,
    response: JobList,
    status: 200,
  }),
  getJob: endpoint({
    method: 'GET',
    path: '/api/jobs/:id',
    access: 'user',
    scope: 'jobs:read',
    aup: true,
    params: IdParams,
    response: JobWithFiles,
    status: 200,
  }),
  pauseJob: jobAction('pause'),
  resumeJob: endpoint({ ...jobAction('resume'), body: ResumeJobBody.optional() }),
  cancelJob: jobAction('cancel'),
  retryJob: jobAction('retry'),
  deleteJob: endpoint({
    method: 'DELETE',
    path: '/api/jobs/:id',
    access: 'user',
    scope: 'jobs:write',
    aup: true,
    params: IdParams,
    response: null,
    status: 204,
  }),
  jobHistory: endpoint({
    method: 'GET',
    path: '/api/jobs/:id/history',
    access: 'user',
    scope: 'jobs:read',
    aup: true,
    params: IdParams,
    response: JobHistory,
    status: 200,
  }),
  listJobFiles: endpoint({
    method: 'GET',
    path: '/api/jobs/:id/files',
    access: 'user',
    scope: 'files:read',
    aup: true,
    params: IdParams,
    response: FileList,
    status: 200,
  }),
  createFileLink: endpoint({
    method: 'POST',
    path: '/api/files/:id/link',
    access: 'user',
    scope: 'files:read',
    aup: true,
    params: IdParams,
    response: FileLink,
    status: 200,
  }),

  pushKey: endpoint({
    method: 'GET',
    path: '/api/push/key',
    access: 'public',
    response: PushKey,
    status: 200,
  }),
  subscribePush: endpoint({
    method: 'POST',
    path: '/api/push/subscriptions',
    access: 'session',
    body: PushSubscriptionBody,
    response: null,
    status: 204,
  }),
  unsubscribePush: endpoint({
    method: 'DELETE',
    path: '/api/push/subscriptions',
    access: 'session',
    body: PushSubscriptionBody.pick({ endpoint: true }),
    response: null,
    status: 204,
  }),

  adminListJobs: endpoint({
    method: 'GET',
    path: '/api/admin/jobs',
    access: 'admin',
    query: AdminJobQuery,
    response: AdminJobList,
    status: 200,
  }),
  adminCancelJob: endpoint({
    method: 'POST',
    path: '/api/admin/jobs/:id/cancel',
    access: 'admin',
    params: IdParams,
    body: AdminJobActionBody,
    response: AdminJob,
    status: 200,
  }),
  adminRetryJob: endpoint({
    method: 'POST',
    path: '/api/admin/jobs/:id/retry',
    access: 'admin',
    params: IdParams,
    body: AdminJobActionBody,
    response: AdminJob,
    status: 200,
  }),
  adminDeleteJob: endpoint({
    method: 'DELETE',
    path: '/api/admin/jobs/:id',
    access: 'admin',
    params: IdParams,
    body: AdminJobActionBody,
    response: null,
    status: 204,
  }),
  adminListBlocklist: endpoint({
    method: 'GET',
    path: '/api/admin/blocklist',
    access: 'admin',
    response: BlocklistList,
    status: 200,
  }),
  adminAddBlocklist: endpoint({
    method: 'POST',
    path: '/api/admin/blocklist',
    access: 'admin',
    body: BlocklistBody,
    response: BlocklistEntry,
    status: 201,
  }),
  adminRemoveBlocklist: endpoint({
    method: 'DELETE',
    path: '/api/admin/blocklist/:infohash',
    access: 'admin',
    params: BlocklistParams,
    response: null,
    status: 204,
  }),
  adminListAgents: endpoint({
    method: 'GET',
    path: '/api/admin/agents',
    access: 'admin',
    response: AgentList,
    status: 200,
  }),
  adminDrainAgent: endpoint({
    method: 'POST',
    path: '/api/admin/agents/:id/drain',
    access: 'admin',
    params: IdParams,
    body: AgentDrainBody,
    response: AgentInfo,
    status: 200,
  }),
  adminListAlerts: endpoint({
    method: 'GET',
    path: '/api/admin/alerts',
    access: 'admin',
    response: AlertList,
    status: 200,
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
