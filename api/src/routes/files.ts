import { Hono } from 'hono'
import { endpoints } from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { getDownloadableFile, getOwnJobFile, listJobFileRows, toJobFile } from '../db/job-files.ts'
import { getOwnJobRow } from '../db/jobs.ts'
import { getPlan } from '../db/plans.ts'
import { meterBandwidth } from '../db/usage.ts'
import { bandwidthExhausted, quotaError } from '../lib/quotas.ts'
import { requestedRange } from '../lib/byte-range.ts'
import { HttpError } from '../lib/errors.ts'
import { LINK_TTL_MS, signLink, verifyLink } from '../lib/download-tokens.ts'
import { log } from '../lib/log.ts'
import { requireAuth, route } from '../lib/route.ts'
import { billingPeriod } from '../lib/time.ts'
import { writeMetric, type DownloadPoint } from '../metrics/points.ts'
import { contentDisposition, getObject, presignGet } from '../storage/s3.ts'

export const fileRoutes = new Hono<AppEnv>()

/** Presigned storage URLs handed out by `/dl/` live this long (the link itself lives an hour). */
const REDIRECT_TTL_SECONDS = 60

route(fileRoutes, endpoints.listJobFiles, async (c, { params }) => {
  const { user } = requireAuth(c)
  const job = await getOwnJobRow(c.env.DB, params.id, user.id)
  if (!job) throw new HttpError(404, 'not_found', 'No such job.')
  return { files: (await listJobFileRows(c.env.DB, job.id)).map(toJobFile) }
})

/** Blocking an info hash fails its jobs; copies already stored are no longer linked or served. */
function blockedError(reason: string): HttpError {
  return new HttpError(
    403,
    'blocked',
    `This content has been blocked and can no longer be downloaded: ${reason}`,
  )
}

route(fileRoutes, endpoints.createFileLink, async (c, { params }) => {
  const { user } = requireAuth(c)
  const file = await getOwnJobFile(c.env.DB, params.id, user.id)
  if (!file) throw new HttpError(404, 'not_found', 'No such file.')
  if (file.blocked_reason !== null) throw blockedError(file.blocked_reason)
  if (!file.storage_key) throw new HttpError(409, 'conflict', 'This file is not in storage yet.')
  const expiresAt = Date.now() + LINK_TTL_MS
  const token = await signLink(c.env.LINK_SIGNING_KEY, {
    fileId: file.id,
    userId: user.id,
    expiresAt,
  })
  return {
    url: new URL(`/dl/${token}`, c.req.url).toString(),
    expiresAt: new Date(expiresAt).toISOString(),
  }
})

/** How `/dl/` delivers: `DOWNLOAD_MODE` when set, else streaming in production only. */
export function downloadMode(
  env: Pick<Env, 'DOWNLOAD_MODE' | 'ENVIRONMENT'>,
): 'stream' | 'redirect' {
  if (env.DOWNLOAD_MODE === 'stream' || env.DOWNLOAD_MODE === 'redirect') return env.DOWNLOAD_MODE
  return env.ENVIRONMENT === 'production' ? 'stream' : 'redirect'
}

/**
 * `GET /dl/:token`: checks the capability (signature, expiry), that the file still exists,
 * belongs to the link's user and is not blocked, and meters the bytes asked for against the monthly bandwidth
 * quota; then either streams the object through the Worker (`stream`, production's default:
 * exactly the bytes charged are delivered) or redirects to a presigned storage URL that lives 60 s
 * (`redirect`, the local default: the browser fetches straight from storage, a ranged URL only
 * with the Range it was charged for, but the URL can be fetched again while it lives).
 */
fileRoutes.get('/dl/:token', async (c) => {
  const check = await verifyLink(c.env.LINK_SIGNING_KEY, c.req.param('token'))
  if (!check.ok) {
    throw check.reason === 'expired'
      ? new HttpError(
          403,
          'link_expired',
          'This download link has expired; get a new one from tseeder.',
        )
      : new HttpError(403, 'link_invalid', 'This download link is not valid.')
  }
  const { fileId, userId } = check.claims
  const file = await getDownloadableFile(c.env.DB, fileId, userId)
  if (!file?.storage_key) throw new HttpError(403, 'link_revoked', 'This file has been deleted.')
  if (file.blocked_reason !== null) throw blockedError(file.blocked_reason)

  const range = requestedRange(c.req.header('range'), file.size)
  if (range === 'invalid') {
    c.header('content-range', `bytes */${file.size}`)
    throw new HttpError(416, 'bad_request', 'The requested range is not satisfiable.')
  }
  const bytes = range ? range.end - range.start + 1 : file.size

  const plan = await getPlan(c.env.DB, file.plan_id)
  const metered = await meterBandwidth(c.env.DB, {
    userId,
    bytes,
    period: billingPeriod(),
    limit: plan.bandwidthBytesPerMonth,
    now: Date.now(),
  })
  if (!metered) throw quotaError(bandwidthExhausted(plan))

  const filename = file.path.slice(file.path.lastIndexOf('/') + 1)
  const mode = downloadMode(c.env)
  const delivered: DownloadPoint = {
    kind: 'download',
    mode,
    ranged: range !== null,
    planId: file.plan_id,
    bytes,
  }
  if (mode === 'redirect') {
    // A ranged request gets a URL signed for the very Range it was charged for (clients resend
    // their Range on the redirect); a whole-file request was charged the whole file.
    const url = await presignGet(c.env, file.storage_key, {
      expiresIn: REDIRECT_TTL_SECONDS,
      filename,
      contentType: file.mime_type,
      range: range ? c.req.header('range') : null,
    })
    c.header('cache-control', 'no-store')
    writeMetric(c.env, delivered)
    return c.redirect(url, 302)
  }

  const upstream = await getObject(
    c.env,
    file.storage_key,
    range ? `bytes=${range.start}-${range.end}` : null,
  )
  if (!upstream.ok) {
    log.error('storage_read_failed', { fileId, status: upstream.status })
    throw new HttpError(
      502,
      'storage_unavailable',
      'The file could not be read from storage; try again shortly.',
    )
  }
  writeMetric(c.env, delivered)
  const headers = new Headers({
    'content-type': file.mime_type,
    'content-disposition': contentDisposition(filename),
    'accept-ranges': 'bytes',
    'cache-control': 'private, no-store',
  })
  const contentRange = upstream.headers.get('content-range')
  if (contentRange) headers.set('content-range', contentRange)
  return new Response(upstream.body, { status: upstream.status === 206 ? 206 : 200, headers })
})
