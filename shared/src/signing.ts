import { SIGNATURE_HEADERS } from './schemas/agent.ts'

/** How far a signed request's timestamp may be from the receiver's clock. */
export const SIGNATURE_WINDOW_MS = 5 * 60 * 1000

const encoder = new TextEncoder()

function toHex(bytes: ArrayBuffer): string {
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
 * The signature of an agent ⇄ API request: hex HMAC-SHA256 over the decimal timestamp (Unix
 * milliseconds) immediately followed by the raw body (empty for GET).
 */
export function signPayload(secret: string, timestamp: string, body: string): Promise<string> {
  return hmacHex(secret, timestamp + body)
}

/** Headers to send with a signed request. */
export async function signedHeaders(
  agentId: string,
  secret: string,
  body: string,
  now = Date.now(),
): Promise<Record<string, string>> {
  const timestamp = String(now)
  return {
    [SIGNATURE_HEADERS.agentId]: agentId,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.signature]: await signPayload(secret, timestamp, body),
  }
}

export type SignatureCheck =
  { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch'; message: string }

/**
 * Checks a signed request's headers against its raw body, in constant time, rejecting
 * timestamps outside {@link SIGNATURE_WINDOW_MS}.
 */
export async function verifySignature(
  secret: string,
  headers: { timestamp: string | null; signature: string | null },
  body: string,
  now = Date.now(),
): Promise<SignatureCheck> {
  const { timestamp, signature } = headers
  if (!timestamp || !signature) {
    return { ok: false, reason: 'missing', message: 'The request is not signed.' }
  }
  if (!/^\d{1,16}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > SIGNATURE_WINDOW_MS) {
    return {
      ok: false,
      reason: 'stale',
      message: 'The request timestamp is outside the allowed window.',
    }
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    return { ok: false, reason: 'mismatch', message: 'The request signature is invalid.' }
  }
  const expected = encoder.encode(await signPayload(secret, timestamp, body))
  const given = encoder.encode(signature)
  let diff = 0
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ given[i]!
  return diff === 0
    ? { ok: true }
    : { ok: false, reason: 'mismatch', message: 'The request signature is invalid.' }
}

/**
 * Each agent's secret is derived from the deployment's agent signing key and the agent id, so the
 * API keeps one secret while a leaked agent secret speaks for that agent alone.
 */
export function deriveAgentSecret(signingKey: string, agentId: string): Promise<string> {
  return hmacHex(signingKey, `tseeder-agent:${agentId}`)
}
