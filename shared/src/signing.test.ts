import { describe, expect, it } from 'vitest'
import {
  deriveAgentSecret,
  signedHeaders,
  signPayload,
  SIGNATURE_WINDOW_MS,
  verifySignature,
} from './signing.ts'

const body = '{"jobId":"j1","seq":1}'

async function headersFor(secret: string, now = Date.now()) {
  const h = await signedHeaders('agent-1', secret, body, now)
  return { timestamp: h['x-tseeder-timestamp']!, signature: h['x-tseeder-signature']! }
}

describe('request signing', () => {
  it('accepts a request signed with the same secret', async () => {
    expect(await verifySignature('s3cret', await headersFor('s3cret'), body)).toEqual({ ok: true })
  })

  it('signs the timestamp followed by the body with HMAC-SHA256', async () => {
    // Known answer computed independently: printf '1700000000000{}' | openssl dgst -sha256 -hmac key
    expect(await signPayload('key', '1700000000000', '{}')).toBe(
      '7af44a3bc4346336c90b6e5a8468c569f7de3e0050c650f658a3cde0b37647c5',
    )
  })

  it('refuses a forged signature, a changed body and a missing header', async () => {
    const h = await headersFor('s3cret')
    expect((await verifySignature('other', h, body)).ok).toBe(false)
    expect((await verifySignature('s3cret', h, body.replace('j1', 'j2'))).ok).toBe(false)
    expect(await verifySignature('s3cret', { ...h, signature: null }, body)).toMatchObject({
      reason: 'missing',
    })
  })

  it('refuses timestamps older or newer than five minutes', async () => {
    const old = await headersFor('s3cret', Date.now() - SIGNATURE_WINDOW_MS - 1000)
    expect(await verifySignature('s3cret', old, body)).toMatchObject({ reason: 'stale' })
    const future = await headersFor('s3cret', Date.now() + SIGNATURE_WINDOW_MS + 1000)
    expect(await verifySignature('s3cret', future, body)).toMatchObject({ reason: 'stale' })
  })

  it('derives a different secret for every agent', async () => {
    const a = await deriveAgentSecret('master', 'agent-a')
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(a).not.toBe(await deriveAgentSecret('master', 'agent-b'))
    expect(a).toBe(await deriveAgentSecret('master', 'agent-a'))
  })
})
