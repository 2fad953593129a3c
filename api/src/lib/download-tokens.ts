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
export async function signZipLink(key: string, claims: ZipLinkClaims): Promise<string> {
  const { jobId, userId, expiresAt, version, folder } = claims
  const payload = base64url(
    encoder.encode(`zip:${jobId}:${userId}:${expiresAt}:${version}:${folder}`),
  )
  return `${payload}.${await hmacHex(key, payload)}`
}

export type ZipLinkCheck =
  { ok: true; claims: ZipLinkClaims } | { ok: false; reason: 'invalid' | 'expired' }

export async function verifyZipLink(
  key: string,
  token: string,
  now = Date.now(),
): Promise<ZipLinkCheck> {
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
  const [tag, jobId, userId, expires, version, ...folder] = fields
  const expiresAt = Number(expires)
  if (tag !== 'zip' || !jobId || !userId || !version || folder.length === 0) {
    return { ok: false, reason: 'invalid' }
  }
  if (!Number.isSafeInteger(expiresAt)) return { ok: false, reason: 'invalid' }
  if (expiresAt <= now) return { ok: false, reason: 'expired' }
  return { ok: true, claims: { jobId, userId, folder: folder.join(':'), version, expiresAt } }
}
