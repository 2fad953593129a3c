// The browser's side of Web Push, for tests: a subscription's keys, and RFC 8291 aes128gcm
// decryption of what the server sent (as a push service would deliver it to the browser).
const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

async function hkdf(
  salt: Uint8Array<ArrayBuffer>,
  ikm: Uint8Array<ArrayBuffer>,
  info: Uint8Array<ArrayBuffer>,
  bytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits'])
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, key, bytes * 8),
  )
}

const text = (s: string) => new Uint8Array(new TextEncoder().encode(s))

/** A VAPID key pair in the form the server is configured with. */
export async function vapidKeys() {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
  ])) as CryptoKeyPair
  const raw = (await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer
  const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey
  return { publicKey: b64url(raw), privateKey: jwk.d! }
}

/** A browser's push subscription with its private half kept for decryption. */
export async function browserSubscription(endpoint: string) {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ])) as CryptoKeyPair
  const publicRaw = new Uint8Array(
    (await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer,
  )
  const auth = crypto.getRandomValues(new Uint8Array(16))
  return {
    json: {
      endpoint,
      expirationTime: null,
      keys: { p256dh: b64url(publicRaw), auth: b64url(auth) },
    },
    async decrypt(body: Uint8Array<ArrayBuffer>): Promise<string> {
      const salt = body.slice(0, 16)
      const idLength = body[20]!
      const serverPublic = body.slice(21, 21 + idLength)
      const ciphertext = body.slice(21 + idLength)
      const serverKey = await crypto.subtle.importKey(
        'raw',
        serverPublic,
        { name: 'ECDH', namedCurve: 'P-256' },
        false,
        [],
      )
      const secret = new Uint8Array(
        await crypto.subtle.deriveBits(
          { name: 'ECDH', public: serverKey } as unknown as SubtleCryptoDeriveKeyAlgorithm,
          pair.privateKey,
          256,
        ),
      )
      const ikm = await hkdf(
        auth,
        secret,
        concat(text('WebPush: info\0'), publicRaw, serverPublic),
        32,
      )
      const cek = await hkdf(salt, ikm, text('Content-Encoding: aes128gcm\0'), 16)
      const nonce = await hkdf(salt, ikm, text('Content-Encoding: nonce\0'), 12)
      const key = await crypto.subtle.importKey('raw', cek, 'AES-GCM', false, ['decrypt'])
      const padded = new Uint8Array(
        await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce }, key, ciphertext),
      )
      let end = padded.length - 1
      while (end >= 0 && padded[end] === 0) end--
      if (padded[end] !== 2) throw new Error('record is not the last one (delimiter 0x02 missing)')
      return new TextDecoder().decode(padded.slice(0, end))
    },
  }
}
