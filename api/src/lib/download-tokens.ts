import { hmacHex } from '@tseeder/shared'
import { base64url, fromBase64url, safeEqual } from './crypto.ts'

/** How long a download link works unless asked otherwise. */
export const LINK_TTL_MS = 60 * 60 * 1000

export interface LinkClaims {
  fileId: string
  userId: string
  /** Unix ms. */
  expiresAt: number
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** A capability token for `/dl/:token`: the claims, base64url, then their HMAC-SHA256. */
export async function signLink(key: string, claims: LinkClaims): Promise<string> {
  const payload = base64url(encoder.encode(`${claims.fileId}:${claims.userId}:${claims.expiresAt}`))
  return `${payload}.${await hmacHex(key, payload)}`
}

export type LinkCheck =
  { ok: true; claims: LinkClaims } | { ok: false; reason: 'invalid' | 'expired' }

export async function verifyLink(key: string, token: string, now = Date.now()): Promise<LinkCheck> {
  const [payload, signature, ...rest] = token.split('.')
  if (
    !payload ||
    !signature ||
    rest.length > 0 ||
    !safeEqual(signature, await hmacHex(key, payload))
  ) {
    return { ok: false, reason: 'invalid' }
  }
  let fields: string[]
  try {
    fields = decoder.decode(fromBase64url(payload)).split(':')
  } catch {
    return { ok: false, reason: 'invalid' }
  }
  const [fileId, userId, expires] = fields
  if (!fileId || !userId || !expires || fields.length !== 3) return { ok: false, reason: 'invalid' }
  const expiresAt = Number(expires)
  if (!Number.isSafeInteger(expiresAt) || expiresAt <= now) return { ok: false, reason: 'expired' }
  return { ok: true, claims: { fileId, userId, expiresAt } }
}
