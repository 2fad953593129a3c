// Where each endpoint of the table in endpoints.ts lives, without its schemas: what a client
// needs to call the API when it does not check answers (the web app's pages, which load no
// zod before their first paint). TypeScript checks every entry against endpoints.ts, so the
// two cannot drift apart.
import type { EndpointName, Endpoints } from './endpoints.ts'
import type { Scope } from './schemas/token.ts'

type RouteOf<E extends Endpoints[EndpointName]> = Pick<E, 'method' | 'path'> &
  (E['response'] extends null ? { response: null } : { response?: never })

/** `method` and `path` of every endpoint; `response: null` for those that answer 204. */
export const routes = {
  health: { method: 'GET', path: '/api/health' },

  config: { method: 'GET', path: '/api/config' },
  openApi: { method: 'GET', path: '/api/openapi.json' },
  register: { method: 'POST', path: '/api/auth/register' },
  login: { method: 'POST', path: '/api/auth/login' },
  logout: { method: 'POST', path: '/api/auth/logout', response: null },
  me: { method: 'GET', path: '/api/auth/me' },
  acceptAup: { method: 'POST', path: '/api/auth/aup' },
  listSessions: { method: 'GET', path: '/api/sessions' },
  revokeSession: { method: 'DELETE', path: '/api/sessions/:id', response: null },
  listTokens: { method: 'GET', path: '/api/tokens' },
  createToken: { method: 'POST', path: '/api/tokens' },
  revokeToken: { method: 'DELETE', path: '/api/tokens/:id', response: null },
  createJob: { method: 'POST', path: '/api/jobs' },
  listJobs: { method: 'GET', path: '/api/jobs' },
  getJob: { method: 'GET', path: '/api/jobs/:id' },
  pauseJob: { method: 'POST', path: '/api/jobs/:id/pause' },
  resumeJob: { method: 'POST', path: '/api/jobs/:id/resume' },
  cancelJob: { method: 'POST', path: '/api/jobs/:id/cancel' },
  retryJob: { method: 'POST', path: '/api/jobs/:id/retry' },
  deleteJob: { method: 'DELETE', path: '/api/jobs/:id', response: null },
  jobHistory: { method: 'GET', path: '/api/jobs/:id/history' },
  listJobFiles: { method: 'GET', path: '/api/jobs/:id/files' },
  createFileLink: { method: 'POST', path: '/api/files/:id/link' },
  createLinkList: { method: 'POST', path: '/api/jobs/:id/link-list' },
  pushKey: { method: 'GET', path: '/api/push/key' },
  subscribePush: { method: 'POST', path: '/api/push/subscriptions', response: null },
  unsubscribePush: { method: 'DELETE', path: '/api/push/subscriptions', response: null },
  listWebhooks: { method: 'GET', path: '/api/webhooks' },
  createWebhook: { method: 'POST', path: '/api/webhooks' },
  deleteWebhook: { method: 'DELETE', path: '/api/webhooks/:id', response: null },
  rotateWebhookSecret: { method: 'POST', path: '/api/webhooks/:id/rotate-secret' },
  listWebhookAttempts: { method: 'GET', path: '/api/webhooks/:id/attempts' },
  adminListJobs: { method: 'GET', path: '/api/admin/jobs' },
  adminCancelJob: { method: 'POST', path: '/api/admin/jobs/:id/cancel' },
  adminRetryJob: { method: 'POST', path: '/api/admin/jobs/:id/retry' },
  adminDeleteJob: { method: 'DELETE', path: '/api/admin/jobs/:id', response: null },
  adminListBlocklist: { method: 'GET', path: '/api/admin/blocklist' },
  adminAddBlocklist: { method: 'POST', path: '/api/admin/blocklist' },
  adminRemoveBlocklist: {
    method: 'DELETE',
    path: '/api/admin/blocklist/:infohash',
    response: null,
  },
  adminListAgents: { method: 'GET', path: '/api/admin/agents' },
  adminDrainAgent: { method: 'POST', path: '/api/admin/agents/:id/drain' },
  adminListAlerts: { method: 'GET', path: '/api/admin/alerts' },
  adminListUsers: { method: 'GET', path: '/api/admin/users' },
  adminUpdateUser: { method: 'PATCH', path: '/api/admin/users/:id' },
  adminAudit: { method: 'GET', path: '/api/admin/audit' },
  changePassword: { method: 'POST', path: '/api/account/password', response: null },
  signOutEverywhere: { method: 'POST', path: '/api/account/sign-out-everywhere', response: null },
  deleteAccount: { method: 'POST', path: '/api/account/delete', response: null },
  adminResetPassword: { method: 'POST', path: '/api/admin/users/:id/reset-password' },
  createZipLink: { method: 'POST', path: '/api/jobs/:id/zip' },
} as const satisfies { [N in EndpointName]: RouteOf<Endpoints[N]> }

/**
 * Server-sent event streams (not JSON, so not in the endpoint table): `event:` is the job
 * event's type, `id:` its sequence number, resumable with `Last-Event-ID`.
 */
export const streams = {
  jobEvents: { path: '/api/jobs/:id/events', scope: 'jobs:read' },
  userEvents: { path: '/api/events', scope: 'jobs:read' },
} as const satisfies Record<string, { path: `/${string}`; scope: Scope }>
