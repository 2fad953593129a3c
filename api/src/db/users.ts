import type { PlanId, Role, User } from '@tseeder/shared'
import type { PasswordHash } from '../lib/crypto.ts'
import { iso } from '../lib/time.ts'
import { keysetPage, type Page } from './pages.ts'
import { insertUsageStatement } from './usage.ts'

export interface UserRow {
  id: string
  email: string
  password_hash: string
  password_salt: string
  password_iterations: number
  role: Role
  plan_id: PlanId
  suspended: number
  aup_accepted_at: number | null
  /** 1 after an operator's password reset, until the user chooses a new password. */
  must_change_password: number
  created_at: number
  updated_at: number
}

export const USER_COLUMNS =
  'u.id, u.email, u.password_hash, u.password_salt, u.password_iterations, u.role, u.plan_id, u.suspended, u.aup_accepted_at, u.must_change_password, u.created_at, u.updated_at'

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    plan: row.plan_id,
    suspended: row.suspended === 1,
    aupAcceptedAt: iso(row.aup_accepted_at),
    mustChangePassword: row.must_change_password === 1,
    createdAt: iso(row.created_at),
  }
}

export function passwordOf(row: UserRow): PasswordHash {
  return { hash: row.password_hash, salt: row.password_salt, iterations: row.password_iterations }
}

export function findUserByEmail(db: D1Database, email: string): Promise<UserRow | null> {
  return db.prepare(`SELECT ${USER_COLUMNS} FROM users u WHERE u.email = ?`).bind(email).first()
}

export function findUserById(db: D1Database, id: string): Promise<UserRow | null> {
  return db.prepare(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ?`).bind(id).first()
}

export interface NewUser {
  id: string
  email: string
  password: PasswordHash
  role: Role
  now: number
}

export function insertUserStatements(
  db: D1Database,
  user: NewUser,
  period: string,
): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `INSERT INTO users (id, email, password_hash, password_salt, password_iterations, role, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        user.id,
        user.email,
        user.password.hash,
        user.password.salt,
        user.password.iterations,
        user.role,
        user.now,
        user.now,
      ),
    insertUsageStatement(db, user.id, period, user.now),
  ]
}

/** Writes the admin-editable fields of `row` (role, plan, suspension) and its `updated_at`. */
export function updateUserStatement(db: D1Database, row: UserRow): D1PreparedStatement {
  return db
    .prepare('UPDATE users SET role = ?, plan_id = ?, suspended = ?, updated_at = ? WHERE id = ?')
    .bind(row.role, row.plan_id, row.suspended, row.updated_at, row.id)
}

export function acceptAupStatement(
  db: D1Database,
  userId: string,
  now: number,
): D1PreparedStatement {
  return db
    .prepare('UPDATE users SET aup_accepted_at = ?, updated_at = ? WHERE id = ?')
    .bind(now, now, userId)
}

/** A page of users, newest first; `emailContains` matches literally (`%` and `_` are not wildcards). */
export function listUsersPage(
  db: D1Database,
  options: { emailContains: string | undefined; cursor: string | undefined; limit: number },
): Promise<Page<UserRow>> {
  const search = options.emailContains
    ? `%${options.emailContains.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`
    : null
  return keysetPage<UserRow>(db, {
    from: 'users',
    where: search ? [["email LIKE ? ESCAPE '\\'", search]] : [],
    cursor: options.cursor,
    limit: options.limit,
  })
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed/i.test(error.message)
}
