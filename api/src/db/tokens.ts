import type { ApiToken, Scope } from '@tseeder/shared'
import { iso } from '../lib/time.ts'

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
