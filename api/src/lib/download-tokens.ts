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

/** A signed token: the fields joined by `:`, base64url, then their HMAC-SHA256 (hex). */
async function signFields(key: string, fields: (string | number)[]): Promise<string> {
  const payload = base64url(encoder.encode(fields.join(':')))
  return `${payload}.${await hmacHex(key, payload)}`
}

/** The fields of a token {@link signFields} made with `key`, or null if it did not make it. */
async function verifiedFields(key: string, token: string): Promise<string[] | null> {
  const [payload, signature, ...rest] = token.split('.')
  if (!payload || !signature || rest.length > 0) return null
  if (!safeEqual(signature, await hmacHex(key, payload))) return null
  try {
    return decoder.decode(fromBase64url(payload)).split(':')
  } catch {
    return null
  }
}

/** A capability token for `/dl/:token`: the claims, base64url, then their HMAC-SHA256. */
export function signLink(key: string, claims: LinkClaims): Promise<string> {
  return signFields(key, [claims.fileId, claims.userId, claims.expiresAt])
}

export type LinkCheck =
  { ok: true; claims: LinkClaims } | { ok: false; reason: 'invalid' | 'expired' }

export async function verifyLink(key: string, token: string, now = Date.now()): Promise<LinkCheck> {
  const fields = await verifiedFields(key, token)
  if (!fields) return { ok: false, reason: 'invalid' }
  const [fileId, userId, expires] = fields
  if (!fileId || !userId || !expires || fields.length !== 3) return { ok: false, reason: 'invalid' }
  const expiresAt = Number(expires)
  if (!Number.isSafeInteger(expiresAt) || expiresAt <= now) return { ok: false, reason: 'expired' }
  return { ok: true, claims: { fileId, userId, expiresAt } }
}

/** What a zip link grants: the stored files of `jobId` (under `folder`), an archive of `size` bytes. */
export interface ZipLinkClaims {
  jobId: string
  userId: string
  /** '' for the whole job. */
  folder: string
  /** The archive's fingerprint when the link was made (hex): a job whose files changed no longer matches. */
  version: string
  /** Unix ms. */
  expiresAt: number
}

/**
 * A capability token for `/dl/zip/:token`, made like {@link signLink}'s but with a `zip` tag
 * first, so neither kind of token passes for the other. The folder goes last: it is free text.
 */
export function signZipLink(key: string, claims: ZipLinkClaims): Promise<string> {
  const { jobId, userId, expiresAt, version, folder } = claims
  return signFields(key, ['zip', jobId, userId, expiresAt, version, folder])
}

export type ZipLinkCheck =
  { ok: true; claims: ZipLinkClaims } | { ok: false; reason: 'invalid' | 'expired' }

export async function verifyZipLink(
  key: string,
  token: string,
  now = Date.now(),
): Promise<ZipLinkCheck> {
  const fields = await verifiedFields(key, token)
  if (!fields) return { ok: false, reason: 'invalid' }
  const [tag, jobId, userId, expires, version, ...folder] = fields
  const expiresAt = Number(expires)
  if (tag !== 'zip' || !jobId || !userId || !version || folder.length === 0) {
    return { ok: false, reason: 'invalid' }
  }
  if (!Number.isSafeInteger(expiresAt)) return { ok: false, reason: 'invalid' }
  if (expiresAt <= now) return { ok: false, reason: 'expired' }
  return { ok: true, claims: { jobId, userId, folder: folder.join(':'), version, expiresAt } }
}
