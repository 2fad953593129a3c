import { describe, expect, it } from 'vitest'
import { signLink, signZipLink, verifyLink, verifyZipLink } from './download-tokens.ts'

const KEY = 'unit-test-link-key'
const claims = {
  jobId: 'job-1',
  userId: 'user-1',
  folder: 'Show/Season 1: the start',
  version: 'a1b2c3',
  expiresAt: Date.now() + 60_000,
}

describe('zip link tokens', () => {
  it('round-trip their claims, a folder with a colon included', async () => {
    expect(await verifyZipLink(KEY, await signZipLink(KEY, claims))).toEqual({ ok: true, claims })
    const whole = { ...claims, folder: '' }
    expect(await verifyZipLink(KEY, await signZipLink(KEY, whole))).toEqual({
      ok: true,
      claims: whole,
    })
  })

  it('say expired once the time has passed, and invalid under another key', async () => {
    const token = await signZipLink(KEY, claims)
    expect(await verifyZipLink(KEY, token, claims.expiresAt)).toEqual({
      ok: false,
      reason: 'expired',
    })
    expect(await verifyZipLink('other-key', token)).toEqual({ ok: false, reason: 'invalid' })
  })

  it('never pass for a file link, nor a file link for them', async () => {
    const zip = await signZipLink(KEY, claims)
    const file = await signLink(KEY, {
      fileId: 'f1',
      userId: 'user-1',
      expiresAt: claims.expiresAt,
    })
    expect(await verifyLink(KEY, zip)).toEqual({ ok: false, reason: 'invalid' })
    expect(await verifyZipLink(KEY, file)).toEqual({ ok: false, reason: 'invalid' })
  })
})
