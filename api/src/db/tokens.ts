import type { ApiToken, Scope } from '@tseeder/shared'
import { iso } from '../lib/time.ts'
import { auditEachStatement, type AuditRecord } from './audit.ts'
import type { CredentialOwner } from './sql.ts'
import { USER_COLUMNS, type UserRow } from './users.ts'

export interface TokenRow {
  id: string
  user_id: string
  name: string
  token_prefix: string
  scopes: string
  created_at: number
  last_used_at: number | null
}

/** Every API token starts with this, so leaked tokens are easy to recognise and scan for. */
export const TOKEN_PREFIX = 'tsd_'

export function parseScopes(text: string): Scope[] {
  return text.split(' ').filter(Boolean) as Scope[]
}

export function toApiToken(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    scopes: parseScopes(row.scopes),
    prefix: row.token_prefix,
    createdAt: iso(row.created_at),
    lastUsedAt: iso(row.last_used_at),
  }
}

export type TokenUserRow = UserRow & {
  token_id: string
  token_scopes: string
  token_last_used_at: number | null
}

/** The caller behind an API token, with the token's id, scopes and last use; null when revoked or unknown. */
export function findUserByToken(db: D1Database, tokenHash: string): Promise<TokenUserRow | null> {
  return findUserByTokenStatement(db, tokenHash).first()
}

/** `findUserByToken` as a statement, to batch with statements filtered by `tokenOwner`. */
export function findUserByTokenStatement(db: D1Database, tokenHash: string): D1PreparedStatement {
  return db
    .prepare(
      `SELECT ${USER_COLUMNS}, t.id AS token_id, t.scopes AS token_scopes, t.last_used_at AS token_last_used_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = ? AND t.revoked_at IS NULL`,
    )
    .bind(tokenHash)
}

/** The user behind an unrevoked API token, as `findUserByToken` finds it. */
export function tokenOwner(tokenHash: string): CredentialOwner {
  return {
    sql: '(SELECT user_id FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL)',
    binds: [tokenHash],
  }
}

export async function touchToken(db: D1Database, id: string, now: number): Promise<void> {
  await db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').bind(now, id).run()
}

export async function listActiveTokens(db: D1Database, userId: string): Promise<TokenRow[]> {
  const { results } = await db
    .prepare(
      `SELECT id, user_id, name, token_prefix, scopes, created_at, last_used_at FROM api_tokens
       WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at DESC`,
    )
    .bind(userId)
    .all<TokenRow>()
  return results
}

export async function countActiveTokens(db: D1Database, userId: string): Promise<number> {
  const count = await db
    .prepare('SELECT COUNT(*) AS n FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL')
    .bind(userId)
    .first<number>('n')
  return count ?? 0
}

/** Stores a new token: only its hash is kept, so it cannot be shown again. */
export function insertTokenStatement(
  db: D1Database,
  row: TokenRow,
  tokenHash: string,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO api_tokens (id, user_id, name, token_hash, token_prefix, scopes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(row.id, row.user_id, row.name, tokenHash, row.token_prefix, row.scopes, row.created_at)
}

/**
 * Revokes one of the user's live tokens with its audit row in the same batch (written only if
 * the token was live); false when it is not theirs or already revoked.
 */
export async function revokeToken(
  db: D1Database,
  id: string,
  userId: string,
  now: number,
  audit: AuditRecord,
): Promise<boolean> {
  const [, update] = await db.batch([
    auditEachStatement(db, audit, {
      sql: 'SELECT id FROM api_tokens WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
      binds: [id, userId],
    }),
    db
      .prepare(
        'UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
      )
      .bind(now, id, userId),
  ])
  return (update?.meta.changes ?? 0) > 0
}
