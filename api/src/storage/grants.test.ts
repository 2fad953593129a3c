import { env } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { GRANT_TTL_MS, mintStorageGrant } from './grants.ts'

afterEach(() => vi.restoreAllMocks())

const INFOHASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a'

describe('storage grants', () => {
  it('mint R2 temporary credentials scoped to the job\u2019s prefix, read-write, for 6 hours', async () => {
    // Cloudflare's API cannot be reached from here; its answer is stood in for.
    const api = vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      Response.json({
        success: true,
        result: {
          accessKeyId: 'tmp-id',
          secretAccessKey: 'tmp-secret',
          sessionToken: 'tmp-token',
        },
      }),
    )
    const now = Date.now()
    const grant = await mintStorageGrant(
      {
        ...env,
        STORAGE_GRANT_MODE: 'r2-temporary',
        R2_ACCOUNT_ID: 'acct',
        R2_API_TOKEN: 'cf-token',
        S3_ACCESS_KEY_ID: 'parent-key',
      },
      INFOHASH,
      now,
    )
    const [url, init] = api.mock.calls[0]!
    expect(String(url)).toBe(
      'https://api.cloudflare.com/client/v4/accounts/acct/r2/temp-access-credentials',
    )
    expect((init!.headers as Record<string, string>).authorization).toBe('Bearer cf-token')
    expect(JSON.parse(init!.body as string)).toEqual({
      bucket: 'tseeder',
      parentAccessKeyId: 'parent-key',
      permission: 'object-read-write',
      ttlSeconds: 6 * 3600,
      prefixes: [`content/${INFOHASH}/`],
    })
    expect(grant).toMatchObject({
      prefix: `content/${INFOHASH}/`,
      credentials: {
        accessKeyId: 'tmp-id',
        secretAccessKey: 'tmp-secret',
        sessionToken: 'tmp-token',
      },
    })
    expect(Date.parse(grant.credentials.expiresAt)).toBe(now + GRANT_TTL_MS)
    expect(GRANT_TTL_MS).toBeLessThanOrEqual(6 * 3600 * 1000)
  })

  it('refuse to hand out anything when Cloudflare refuses, and reject an unknown mode', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      Response.json({ success: false, errors: [{ code: 10000 }] }, { status: 403 }),
    )
    await expect(
      mintStorageGrant({ ...env, STORAGE_GRANT_MODE: 'r2-temporary' }, INFOHASH),
    ).rejects.toThrow(/403/)
    await expect(
      mintStorageGrant({ ...env, STORAGE_GRANT_MODE: 'bucket-wide' }, INFOHASH),
    ).rejects.toThrow(/STORAGE_GRANT_MODE/)
  })
})
