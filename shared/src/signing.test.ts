import { describe, expect, it } from 'vitest'
import {
  deriveAgentSecret,
  NonceCache,
  readSignatureHeaders,
  type SignedParts,
  signedHeaders,
  signPayload,
  SIGNATURE_WINDOW_MS,
  verifySignature,
} from './signing.ts'

const body = '{"jobId":"j1","seq":1}'
const pause: SignedParts = { direction: 'api-to-agent', method: 'POST', path: '/pause', body }

async function headersFor(secret: string, parts = pause, now = Date.now()) {
  const h = await signedHeaders('agent-1', secret, parts, { now })
  return readSignatureHeaders((name) => h[name])
}

describe('request signing', () => {
  it('accepts a request signed with the same secret', async () => {
    expect(await verifySignature('s3cret', pause, await headersFor('s3cret'))).toMatchObject({
      ok: true,
    })
  })

  it('signs v2, direction, method, path, timestamp, nonce and body with the direction key', async () => {
    // Known answer computed independently:
    //   K=$(printf 'tseeder:api-to-agent' | openssl dgst -sha256 -hmac key -hex)
    //   printf 'v2\napi-to-agent\nPOST\n/pause\n1700000000000\n0011…eeff\n{}' | openssl dgst -sha256 -hmac "$K"
    const parts: SignedParts = { ...pause, body: '{}' }
    expect(
      await signPayload('key', parts, '1700000000000', '00112233445566778899aabbccddeeff'),
    ).toBe('f18f0f7be8ebd4720fce0b7a348ca645451c9e74fa43f5f911edcca628cac7b2')
  })

  it('refuses a forged signature, a changed body and a missing header', async () => {
    const h = await headersFor('s3cret')
    expect((await verifySignature('other', pause, h)).ok).toBe(false)
    expect(
      (await verifySignature('s3cret', { ...pause, body: body.replace('j1', 'j2') }, h)).ok,
    ).toBe(false)
    expect(await verifySignature('s3cret', pause, { ...h, signature: null })).toMatchObject({
      reason: 'missing',
    })
    expect(await verifySignature('s3cret', pause, { ...h, nonce: null })).toMatchObject({
      reason: 'missing',
    })
  })

  it('refuses a signature moved to another path, method or direction, or given another nonce', async () => {
    const h = await headersFor('s3cret')
    expect((await verifySignature('s3cret', { ...pause, path: '/stop' }, h)).ok).toBe(false)
    expect((await verifySignature('s3cret', { ...pause, method: 'GET' }, h)).ok).toBe(false)
    expect((await verifySignature('s3cret', { ...pause, direction: 'agent-to-api' }, h)).ok).toBe(
      false,
    )
    expect((await verifySignature('s3cret', pause, { ...h, nonce: 'ff'.repeat(16) })).ok).toBe(
      false,
    )
  })

  it('refuses timestamps older or newer than five minutes', async () => {
    const old = await headersFor('s3cret', pause, Date.now() - SIGNATURE_WINDOW_MS - 1000)
    expect(await verifySignature('s3cret', pause, old)).toMatchObject({ reason: 'stale' })
    const future = await headersFor('s3cret', pause, Date.now() + SIGNATURE_WINDOW_MS + 1000)
    expect(await verifySignature('s3cret', pause, future)).toMatchObject({ reason: 'stale' })
  })

  it('derives a different secret for every agent', async () => {
    const a = await deriveAgentSecret('master', 'agent-a')
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(a).not.toBe(await deriveAgentSecret('master', 'agent-b'))
    expect(a).toBe(await deriveAgentSecret('master', 'agent-a'))
  })
})

describe('the nonce cache', () => {
  it('accepts a nonce once within its window and forgets it once the request is stale', () => {
    const cache = new NonceCache()
    const now = 1_700_000_000_000
    expect(cache.claim('n1', now, now)).toBe(true)
    expect(cache.claim('n1', now, now + 1000)).toBe(false)
    expect(cache.claim('n2', now, now + 1000)).toBe(true)
    const later = now + SIGNATURE_WINDOW_MS + 60_001
    expect(cache.claim('n3', later, later)).toBe(true)
    expect(cache.size).toBe(1)
  })
})
