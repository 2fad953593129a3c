import { base64url, fromBase64url } from './crypto.ts'
import { HttpError } from './errors.ts'

// Secrets tseeder must read back (a user's webhook signing secret: each delivery is signed with
// it) are stored sealed: AES-256-GCM under a key derived from the Worker secret
// STORED_SECRETS_KEY, bound to the row they belong to. A copy of D1 (a backup, an export, a
// leaked read) then holds no usable secret, and a sealed value moved to another row does not open.
//
//   v1.<base64url IV (12 bytes)>.<base64url ciphertext and tag>

const VERSION = 'v1'
/** How every sealed value starts (a plain secret never does). */
export const SEALED_PREFIX = `${VERSION}.`
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** What `open` could not read; its message names the row, never a secret. */
export class UnreadableSecret extends Error {
  override name = 'UnreadableSecret'
}

/** The part of the Worker's env sealing reads. */
export interface SealEnv {
  STORED_SECRETS_KEY?: string
}

const keys = new Map<string, Promise<CryptoKey>>()

/** The AES key of `material` (HKDF-SHA-256, so no other use of the same material meets it). */
function sealingKey(env: SealEnv): Promise<CryptoKey> {
  const material = env.STORED_SECRETS_KEY
  if (!material)
    throw new HttpError(
      503,
      'misconfigured',
      'STORED_SECRETS_KEY is not set: secrets such as webhook signing secrets cannot be stored.',
    )
  let key = keys.get(material)
  if (!key) {
    key = crypto.subtle
      .importKey('raw', encoder.encode(material), 'HKDF', false, ['deriveKey'])
      .then((base) =>
        crypto.subtle.deriveKey(
          {
            name: 'HKDF',
            hash: 'SHA-256',
            salt: new Uint8Array(),
            info: encoder.encode('tseeder stored secrets v1'),
          },
          base,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      )
    keys.set(material, key)
  }
  return key
}

/**
 * `secret` sealed for storage in the row `binding` names (e.g. `webhook:<id>`): only that
 * binding opens it.
 */
export async function seal(env: SealEnv, binding: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(binding) },
    await sealingKey(env),
    encoder.encode(secret),
  )
  return `${VERSION}.${base64url(iv)}.${base64url(new Uint8Array(sealed))}`
}

/** Whether `stored` is sealed (else it is a value stored before sealing, as it was given). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX)
}

/**
 * The secret `stored` holds for `binding`. A value stored before sealing existed is returned as
 * it is. Throws `UnreadableSecret` when the value was sealed with another key or for another row,
 * or was altered.
 */
export async function open(env: SealEnv, binding: string, stored: string): Promise<string> {
  if (!isSealed(stored)) return stored
  const [, iv, sealed] = stored.split('.')
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64url(iv ?? ''), additionalData: encoder.encode(binding) },
      await sealingKey(env),
      fromBase64url(sealed ?? ''),
    )
    return decoder.decode(plain)
  } catch (error) {
    if (error instanceof HttpError) throw error
    throw new UnreadableSecret(
      `The stored secret of ${binding} does not open with this STORED_SECRETS_KEY (sealed with another key, or altered).`,
    )
  }
}
