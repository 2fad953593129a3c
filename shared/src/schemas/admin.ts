import { z } from 'zod'
import { Cursor, Id, Infohash, Limit, Timestamp } from './common.ts'
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

export const AuditList = z.object({
  entries: z.array(AuditEntry),
  nextCursor: z.string().nullable(),
})
