import { z } from 'zod'
import { Cursor, Id, Infohash, Limit, Timestamp } from './common.ts'
import { Job } from './job.ts'
import { JobStatus } from './status.ts'
import { PlanId } from './plan.ts'
import { Role, User } from './user.ts'

export const AdminUserQuery = z.object({
  q: z.string().trim().max(254).optional(),
  cursor: Cursor.optional(),
  limit: Limit,
})

export const AdminUserList = z.object({ users: z.array(User), nextCursor: z.string().nullable() })

export const AdminUserPatch = z
  .object({ role: Role.optional(), plan: PlanId.optional(), suspended: z.boolean().optional() })
  .refine((p) => p.role !== undefined || p.plan !== undefined || p.suspended !== undefined, {
    message: 'must change at least one of role, plan, suspended',
  })
export type AdminUserPatch = z.infer<typeof AdminUserPatch>

export const BlocklistEntry = z.object({
  infohash: Infohash,
  reason: z.string(),
  noticeUrl: z.string().nullable(),
  createdAt: Timestamp,
})
export type BlocklistEntry = z.infer<typeof BlocklistEntry>

export const BlocklistList = z.object({ entries: z.array(BlocklistEntry) })

export const BlocklistBody = z.object({
  infohash: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.string().regex(/^[0-9a-f]{40}$/, 'must be 40 hexadecimal characters')),
  reason: z.string().trim().min(1, 'is required').max(500),
  noticeUrl: z.url().max(2048).optional(),
})

export const BlocklistParams = z.object({ infohash: Infohash })

export const AdminJobQuery = z.object({
  status: JobStatus.optional(),
  userId: Id.optional(),
  cursor: Cursor.optional(),
  limit: Limit,
})
export type AdminJobQuery = z.infer<typeof AdminJobQuery>

export const AdminJob = Job.extend({
  userId: Id,
  agentId: z.string().nullable(),
  attempt: z.number().int(),
})
export type AdminJob = z.infer<typeof AdminJob>
export const AdminJobList = z.object({ jobs: z.array(AdminJob), nextCursor: z.string().nullable() })

/** An operator's cancel, retry or delete of any user's job: the reason is shown to its owner. */
export const AdminJobActionBody = z.object({
  reason: z.string().trim().min(1, 'is required').max(500),
})
export type AdminJobActionBody = z.infer<typeof AdminJobActionBody>

export const AgentInfo = z.object({
  id: Id,
  url: z.string(),
  /** Transfer slots. */
  capacity: z.number().int(),
  /** Jobs on the agent (transfers and parked). */
  activeJobs: z.number().int(),
  /** Jobs holding a transfer slot. */
  transfers: z.number().int(),
  /** Torrents parked on the agent looking for metadata or peers, and how many it may hold. */
  parkedJobs: z.number().int(),
  idleCapacity: z.number().int(),
  /** An operator drains the agent: it gets no new jobs; its parked ones go back to the line. */
  draining: z.boolean(),
  freeDiskBytes: z.number().int(),
  version: z.string(),
  lastHeartbeatAt: Timestamp,
  healthy: z.boolean(),
})
export type AgentInfo = z.infer<typeof AgentInfo>
/** The dispatch line across the fleet: how many wait, and for how long. */
export const QueueSummary = z.object({
  depth: z.number().int(),
  /** Wait so far of the job in line longest, and the median; null when the line is empty. */
  oldestWaitSeconds: z.number().int().nullable(),
  medianWaitSeconds: z.number().int().nullable(),
  /** Jobs parked on agents (looking for metadata or peers). */
  parked: z.number().int(),
})
export type QueueSummary = z.infer<typeof QueueSummary>
export const AgentList = z.object({ agents: z.array(AgentInfo), queue: QueueSummary })

/** `POST /api/admin/agents/:id/drain`: start (true) or stop (false) draining an agent. */
export const AgentDrainBody = z.object({ draining: z.boolean() })

export const AlertSeverity = z.enum(['critical', 'warning', 'info'])
export type AlertSeverity = z.infer<typeof AlertSeverity>

/**
 * One webhook delivery of an alert's opening or resolution: `pending` (being retried with
 * backoff), `delivered`, or `failed` (retries used up); `attempts` so far and the last error.
 */
export const AlertDelivery = z.object({
  event: z.enum(['opened', 'resolved']),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
  deliveredAt: Timestamp.nullable(),
})
export type AlertDelivery = z.infer<typeof AlertDelivery>

/**
 * An operator alert: open while its condition holds (`resolvedAt` null), resolved when it clears.
 * The fields after `message` came with webhook delivery; their defaults read older answers.
 */
export const Alert = z.object({
  id: z.number().int(),
  createdAt: Timestamp,
  kind: z.string(),
  jobId: z.string().nullable(),
  message: z.string(),
  /** `kind:subject`: one open alert per key. Null on alerts from before deduplication. */
  key: z.string().nullable().default(null),
  subject: z.string().nullable().default(null),
  severity: AlertSeverity.default('warning'),
  resolvedAt: Timestamp.nullable().default(null),
  /** Link to the alert's runbook (an OBSERVABILITY.md section). */
  runbook: z.string().nullable().default(null),
  deliveries: z.array(AlertDelivery).default([]),
})
export type Alert = z.infer<typeof Alert>
/** Open alerts first, then the newest resolved; `webhookConfigured`: whether they are delivered. */
export const AlertList = z.object({
  alerts: z.array(Alert),
  webhookConfigured: z.boolean().default(false),
})

export const AuditEntry = z.object({
  id: z.number().int(),
  createdAt: Timestamp,
  actorId: z.string().nullable(),
  actorType: z.enum(['user', 'admin', 'token', 'agent', 'system', 'anonymous']),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  meta: z.record(z.string(), z.unknown()).nullable(),
})
export type AuditEntry = z.infer<typeof AuditEntry>

export const AuditQuery = z.object({
  actorId: Id.optional(),
  action: z.string().max(100).optional(),
  cursor: Cursor.optional(),
  limit: Limit,
})
export type AuditQuery = z.infer<typeof AuditQuery>

export const AuditList = z.object({
  entries: z.array(AuditEntry),
  nextCursor: z.string().nullable(),
})
