import type { StorageGrant } from '@tseeder/shared'
import { HOUR } from '../lib/time.ts'
import { contentPrefix } from './s3.ts'

/** How long an agent's upload authority lives before it must renew it. */
export const GRANT_TTL_MS = 6 * HOUR

export const R2_TEMP_CREDENTIALS_URL = (accountId: string) =>
  `https://api.cloudflare.com/client/v4/accounts/${accountId}/r2/temp-access-credentials`

/**
 * Upload authority for one job: S3 credentials that can read and write only the job's content
 * prefix (`content/<infohash>/`) for at most 6 hours.
 *
 * - `STORAGE_GRANT_MODE=r2-temporary` (production): minted with R2's Temporary Credentials API
 *   from the parent key `S3_ACCESS_KEY_ID`, scoped to the prefix, permission object-read-write.
 * - `STORAGE_GRANT_MODE=static` (local s3rver, self-hosted stores without scoped credentials):
 *   hands out the configured key; only for stores you trust every agent with.
 */
export async function mintStorageGrant(
  env: Env,
  infohash: string,
  now = Date.now(),
): Promise<StorageGrant> {
  const prefix = contentPrefix(infohash)
  const expiresAt = new Date(now + GRANT_TTL_MS).toISOString()
  const base = {
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    bucket: env.S3_BUCKET,
    prefix,
  }
  if (env.STORAGE_GRANT_MODE === 'static') {
    return {
      ...base,
      credentials: {
        accessKeyId: env.S3_ACCESS_KEY_ID,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY,
        expiresAt,
      },
    }
  }
  if (env.STORAGE_GRANT_MODE !== 'r2-temporary') {
    throw new Error(
      `STORAGE_GRANT_MODE must be "static" or "r2-temporary", not "${env.STORAGE_GRANT_MODE}"`,
    )
  }
  const response = await fetch(R2_TEMP_CREDENTIALS_URL(env.R2_ACCOUNT_ID), {
    method: 'POST',
    headers: { authorization: `Bearer ${env.R2_API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      bucket: env.S3_BUCKET,
      parentAccessKeyId: env.S3_ACCESS_KEY_ID,
      permission: 'object-read-write',
      ttlSeconds: GRANT_TTL_MS / 1000,
      prefixes: [prefix],
    }),
  })
  const body = (await response.json().catch(() => null)) as {
    success?: boolean
    result?: { accessKeyId: string; secretAccessKey: string; sessionToken: string }
  } | null
  if (!response.ok || !body?.success || !body.result) {
    throw new Error(`R2 temporary credentials request failed with ${response.status}`)
  }
  return {
    ...base,
    credentials: {
      accessKeyId: body.result.accessKeyId,
      secretAccessKey: body.result.secretAccessKey,
      sessionToken: body.result.sessionToken,
      expiresAt,
    },
  }
}
