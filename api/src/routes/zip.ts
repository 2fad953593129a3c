import { Hono } from 'hono'
import { endpoints } from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { getPlan } from '../db/plans.ts'
import { meterBandwidth } from '../db/usage.ts'
import { getZipJob, listZipFiles, type ZipJobRow } from '../db/zip-files.ts'
import { requestedRange } from '../lib/byte-range.ts'
import { LINK_TTL_MS, signZipLink, verifyZipLink } from '../lib/download-tokens.ts'
import { HttpError } from '../lib/errors.ts'
import { log } from '../lib/log.ts'
import { bandwidthExhausted, quotaError } from '../lib/quotas.ts'
import { requireAuth, route } from '../lib/route.ts'
import { billingPeriod } from '../lib/time.ts'
import { planZip, type ZipArchive } from '../lib/zip-archive.ts'
import { ZipStorageError, pumpZip } from '../lib/zip-stream.ts'
import { writeMetric } from '../metrics/points.ts'
import { contentDisposition, getObject } from '../storage/s3.ts'

export const zipRoutes = new Hono<AppEnv>()

/** Bandwidth is counted ahead of delivery, and storage read, in steps this large (one D1 write each). */
const CHARGE_STEP_BYTES = 16 * 1024 * 1024

function blockedError(reason: string): HttpError {
  return new HttpError(
    403,
    'blocked',
    `This content has been blocked and can no longer be downloaded: ${reason}`,
  )
}

async function archiveOf(db: D1Database, job: ZipJobRow, folder: string): Promise<ZipArchive> {
  if (job.blocked_reason !== null) throw blockedError(job.blocked_reason)
  return planZip(job, await listZipFiles(db, job.id), folder)
}

route(zipRoutes, endpoints.createZipLink, async (c, { params, body }) => {
  const { user } = requireAuth(c)
  const job = await getZipJob(c.env.DB, params.id, user.id)
  if (!job) throw new HttpError(404, 'not_found', 'No such job.')
  const folder = body?.folder ?? ''
  const archive = await archiveOf(c.env.DB, job, folder)
  const expiresAt = Date.now() + LINK_TTL_MS
  const token = await signZipLink(c.env.LINK_SIGNING_KEY, {
    jobId: job.id,
    userId: user.id,
    folder,
    version: archive.version,
    expiresAt,
  })
  return {
    url: new URL(`/dl/zip/${token}`, c.req.url).toString(),
    expiresAt: new Date(expiresAt).toISOString(),
    name: archive.name,
    size: archive.layout.size,
    files: archive.layout.entries.length,
  }
})

/**
 * `GET /dl/zip/:token`: the capability checks of `/dl/:token` (signature, expiry, the job still
 * the user's, not blocked, user not suspended), then the archive, streamed from storage as it is
 * read, with its `Content-Length`, or a single `Range` of it (206). The archive is laid out again
 * from the database and must match the link's fingerprint, so a resumed download gets the same
 * bytes. Bandwidth is counted as the bytes go out, a step ahead; a request that cannot pay for
 * its first step is refused with 422.
 */
zipRoutes.get('/dl/zip/:token', async (c) => {
  const check = await verifyZipLink(c.env.LINK_SIGNING_KEY, c.req.param('token'))
  if (!check.ok) {
    throw check.reason === 'expired'
      ? new HttpError(403, 'link_expired', 'This zip link has expired; get a new one from tseeder.')
      : new HttpError(403, 'link_invalid', 'This zip link is not valid.')
  }
  const { jobId, userId, folder, version } = check.claims
  const job = await getZipJob(c.env.DB, jobId, userId)
  if (!job) throw new HttpError(403, 'link_revoked', 'This job has been deleted.')
  const archive = await archiveOf(c.env.DB, job, folder)
  if (archive.version !== version) {
    throw new HttpError(
      409,
      'zip_changed',
      "The job's files changed since this zip link was made; get a new zip link.",
    )
  }
  const { layout } = archive
  const range = requestedRange(c.req.header('range'), layout.size)
  if (range === 'invalid') {
    c.header('content-range', `bytes */${layout.size}`)
    throw new HttpError(416, 'bad_request', 'The requested range is not satisfiable.')
  }
  const start = range ? range.start : 0
  const end = range ? range.end + 1 : layout.size
  const headers = new Headers({
    'content-type': 'application/zip',
    'content-disposition': contentDisposition(archive.name),
    'accept-ranges': 'bytes',
    'cache-control': 'private, no-store',
    etag: `"${version}"`,
  })
  if (range) headers.set('content-range', `bytes ${start}-${end - 1}/${layout.size}`)
  const status = range ? 206 : 200
  headers.set('content-length', String(end - start))
  if (c.req.method === 'HEAD') return new Response(null, { status, headers })

  const plan = await getPlan(c.env.DB, job.plan_id)
  const charge = (bytes: number) =>
    meterBandwidth(c.env.DB, {
      userId,
      bytes,
      period: billingPeriod(),
      limit: plan.bandwidthBytesPerMonth,
      now: Date.now(),
    })
  const first = Math.min(CHARGE_STEP_BYTES, end - start)
  if (!(await charge(first))) throw quotaError(bandwidthExhausted(plan))
  writeMetric(c.env, {
    kind: 'download',
    mode: 'stream',
    ranged: range !== null,
    planId: job.plan_id,
    bytes: end - start,
  })

  // A fixed-length stream gives the response its Content-Length (and a cut one is an error).
  const sized = new FixedLengthStream(end - start)
  const pumped = pumpZip(
    {
      layout,
      start,
      end,
      charged: first,
      step: CHARGE_STEP_BYTES,
      charge,
      async readObject(key, from, to) {
        const upstream = await getObject(c.env, key, `bytes=${from}-${to - 1}`)
        const length = upstream.headers.get('content-length')
        if (!upstream.ok || !upstream.body || length !== String(to - from)) {
          await upstream.body?.cancel()
          throw new ZipStorageError(`storage answered ${upstream.status} with ${length} bytes`)
        }
        return upstream.body
      },
    },
    sized.writable,
  ).catch((error: unknown) => {
    log.warn('zip_stream_failed', { jobId, error: (error as Error).message })
  })
  c.executionCtx.waitUntil(pumped)
  return new Response(sized.readable, { status, headers })
})
