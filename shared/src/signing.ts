import { SIGNATURE_HEADERS } from './schemas/agent.ts'

/** How far a signed request's timestamp may be from the receiver's clock. */
export const SIGNATURE_WINDOW_MS = 5 * 60 * 1000

/**
 * Who signed: the Worker calling an agent, or an agent calling the Worker. Each direction has its
 * own key (see {@link directionKey}) and is named in the signed string, so a request captured in
 * one direction is never valid in the other.
 */
export type SignatureDirection = 'api-to-agent' | 'agent-to-api'

/** What a signature covers besides its timestamp and nonce. */
export interface SignedParts {
  direction: SignatureDirection
  /** Upper-case HTTP method. */
  method: string
  /** The protocol path as the receiver routes it (`/pause`, `/internal/jobs/callback`), no query. */
  path: string
  /** The raw body (empty for GET). */
  body: string
}

const encoder = new TextEncoder()
const NONCE = /^[0-9a-f]{32}$/

function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  )
}

/** Lower-case hex HMAC-SHA256 of `message`. */
export async function hmacHex(secret: string, message: string): Promise<string> {
  return toHex(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(message)))
}

/**
 * The key one direction signs with, derived from the agent's secret: a key that leaks from one
 * side's signing path cannot forge requests to the other side.
 */
export function directionKey(agentSecret: string, direction: SignatureDirection): Promise<string> {
  return hmacHex(agentSecret, `tseeder:${direction}`)
}

/**
 * The string a signature covers, one field per line with the body last (the only field that may
 * hold a newline): `v2`, direction, method, path, timestamp (Unix ms), nonce, body.
 */
export function canonicalString(parts: SignedParts, timestamp: string, nonce: string): string {
  return [
    'v2',
    parts.direction,
    parts.method.toUpperCase(),
    parts.path,
    timestamp,
    nonce,
    parts.body,
  ].join('\n')
}

/** The hex signature of a request: HMAC-SHA256 of {@link canonicalString} with the direction's key. */
export async function signPayload(
  agentSecret: string,
  parts: SignedParts,
  timestamp: string,
  nonce: string,
): Promise<string> {
  return hmacHex(
    await directionKey(agentSecret, parts.direction),
    canonicalString(parts, timestamp, nonce),
  )
}

/** A fresh random nonce: 128 bits as 32 hex digits. */
export function newNonce(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)))
}

/**
 * Headers to send with a signed request. `agentSecret` is the agent's secret; the direction's key
 * is derived from it here.
 *
 * @example
 * const headers = await signedHeaders('api', secret, { direction: 'api-to-agent', method: 'POST', path: '/pause', body })
 */
export async function signedHeaders(
  signer: string,
  agentSecret: string,
  parts: SignedParts,
  options: { now?: number; nonce?: string } = {},
): Promise<Record<string, string>> {
  const timestamp = String(options.now ?? Date.now())
  const nonce = options.nonce ?? newNonce()
  return {
    [SIGNATURE_HEADERS.agentId]: signer,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: await signPayload(agentSecret, parts, timestamp, nonce),
  }
}

/** The signature headers of a request, read with any header getter. */
export interface SignatureHeaderValues {
  timestamp: string | null
  nonce: string | null
  signature: string | null
}

/**
 * Reads the signature headers through `get` (a `Headers`' get, Hono's `c.req.header`, or a Node
 * request's headers).
 */
export function readSignatureHeaders(
  get: (name: string) => string | null | undefined,
): SignatureHeaderValues {
  return {
    timestamp: get(SIGNATURE_HEADERS.timestamp) ?? null,
    nonce: get(SIGNATURE_HEADERS.nonce) ?? null,
    signature: get(SIGNATURE_HEADERS.signature) ?? null,
  }
}

export type SignatureCheck =
  | { ok: true; timestamp: number; nonce: string }
  | { ok: false; reason: 'missing' | 'stale' | 'mismatch'; message: string }

/**
 * Checks a signed request's headers against its direction, method, path and raw body, in
 * constant time, rejecting timestamps outside {@link SIGNATURE_WINDOW_MS}. Whether the nonce was
 * seen before is the receiver's to check (a {@link NonceCache}, or the Worker's per-agent record).
 */
export async function verifySignature(
  agentSecret: string,
  parts: SignedParts,
  headers: SignatureHeaderValues,
  now = Date.now(),
): Promise<SignatureCheck> {
  const { timestamp, nonce, signature } = headers
  if (!timestamp || !nonce || !signature) {
    return { ok: false, reason: 'missing', message: 'The request is not signed.' }
  }
  if (!/^\d{1,16}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > SIGNATURE_WINDOW_MS) {
    return {
      ok: false,
      reason: 'stale',
      message: 'The request timestamp is outside the allowed window.',
    }
  }
  if (!/^[0-9a-f]{64}$/.test(signature) || !NONCE.test(nonce)) {
    return { ok: false, reason: 'mismatch', message: 'The request signature is invalid.' }
  }
  const expected = encoder.encode(await signPayload(agentSecret, parts, timestamp, nonce))
  const given = encoder.encode(signature)
  let diff = 0
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ given[i]!
  return diff === 0
    ? { ok: true, timestamp: Number(timestamp), nonce }
    : { ok: false, reason: 'mismatch', message: 'The request signature is invalid.' }
}

/**
 * The last moment a signed request stamped `timestamp` is accepted: until then its nonce must be
 * remembered, after it the timestamp check refuses it anyway.
 */
export function nonceExpiry(timestamp: number): number {
  return timestamp + SIGNATURE_WINDOW_MS
}

/**
 * The nonces a receiver has accepted, each kept until its request would be stale anyway, so
 * memory holds at most one signing window of traffic.
 *
 * @example
 * if (!nonces.claim(check.nonce, check.timestamp)) refuse('replayed')
 */
export class NonceCache {
  private readonly seen = new Map<string, number>()
  private nextSweep = 0

  /** Records `nonce`; false when it was already accepted within the window (a replay). */
  claim(nonce: string, timestamp: number, now = Date.now()): boolean {
    if (now >= this.nextSweep) {
      for (const [key, expiresAt] of this.seen) if (expiresAt < now) this.seen.delete(key)
      this.nextSweep = now + 60_000
    }
    const known = this.seen.get(nonce)
    if (known !== undefined && known >= now) return false
    this.seen.set(nonce, nonceExpiry(timestamp))
    return true
  }

  get size(): number {
    return this.seen.size
  }
}

/**
 * Each agent's secret is derived from the deployment's agent signing key and the agent id, so the
 * API keeps one secret while a leaked agent secret speaks for that agent alone.
 */
export function deriveAgentSecret(signingKey: string, agentId: string): Promise<string> {
  return hmacHex(signingKey, `tseeder-agent:${agentId}`)
}
