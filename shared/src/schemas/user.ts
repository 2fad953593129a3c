import { z } from 'zod'
import { Email, Id, Timestamp } from './common.ts'
import { Plan, PlanId, Usage } from './plan.ts'

export const Role = z.enum(['user', 'admin'])
export type Role = z.infer<typeof Role>

export const User = z.object({
  id: Id,
  email: z.string(),
  role: Role,
  plan: PlanId,
  suspended: z.boolean(),
  aupAcceptedAt: Timestamp.nullable(),
  /**
   * Signed in with a one-time password from an operator's reset: every call but `me`, `logout`
   * and `changePassword` answers 403 `password_change_required` until a new one is chosen.
   * Absent from servers older than the field.
   */
  mustChangePassword: z.boolean().optional(),
  createdAt: Timestamp,
})
export type User = z.infer<typeof User>

export const Password = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(256, 'must be at most 256 characters')

export const RegisterBody = z.object({
  email: Email,
  password: Password,
  turnstileToken: z.string().max(2048).optional(),
})
export type RegisterBody = z.infer<typeof RegisterBody>

export const LoginBody = z.object({
  email: Email,
  password: z.string().min(1, 'is required').max(256),
  turnstileToken: z.string().max(2048).optional(),
  /** A label for the device list, e.g. "Firefox on Linux"; derived from the User-Agent when absent. */
  deviceLabel: z.string().trim().min(1).max(100).optional(),
})
export type LoginBody = z.infer<typeof LoginBody>

export const AuthResponse = z.object({ user: User, csrfToken: z.string() })
export type AuthResponse = z.infer<typeof AuthResponse>

export const MeResponse = z.object({
  user: User,
  /** Null when the caller used an API token: tokens need no CSRF protection. */
  csrfToken: z.string().nullable(),
  plan: Plan,
  usage: Usage,
})
export type MeResponse = z.infer<typeof MeResponse>

export const AupBody = z.object({
  accept: z.literal(true, { error: 'must be true to accept the acceptable use policy' }),
})

export const DeviceSession = z.object({
  id: Id,
  deviceLabel: z.string(),
  ip: z.string().nullable(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  current: z.boolean(),
})
export type DeviceSession = z.infer<typeof DeviceSession>

export const SessionList = z.object({ sessions: z.array(DeviceSession) })

/** `POST /api/account/password`: the current password proves it is the owner, not a left-open tab. */
export const ChangePasswordBody = z.object({
  currentPassword: z.string().min(1, 'is required').max(256),
  newPassword: Password,
})
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>

/** `POST /api/account/delete`: deleting everything asks for the password once more. */
export const DeleteAccountBody = z.object({
  password: z.string().min(1, 'is required').max(256),
})
export type DeleteAccountBody = z.infer<typeof DeleteAccountBody>

/** An admin's reset: a password shown once to the admin, to hand to the user (no email service). */
export const ResetPasswordResponse = z.object({ password: z.string() })
export type ResetPasswordResponse = z.infer<typeof ResetPasswordResponse>
