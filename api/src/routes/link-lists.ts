import { Hono } from 'hono'
import { endpoints, formatLifetime, MAX_LINK_LIFETIME_SECONDS } from '@tseeder/shared'
import { getBlockReason } from '../db/blocklist.ts'
import { listJobFileRows } from '../db/job-files.ts'
import { getOwnJobRow } from '../db/jobs.ts'
import { getPlan } from '../db/plans.ts'
import type { AppEnv } from '../env.ts'
import { signLink } from '../lib/download-tokens.ts'
import { HttpError } from '../lib/errors.ts'
import { linkListFilename, renderLinkList } from '../lib/link-list.ts'
import { requireAuth, route } from '../lib/route.ts'

export const linkListRoutes = new Hono<AppEnv>()

/**
 * `POST /api/jobs/:id/link-list`: signed `/dl/` links for every stored file of a job (or of one
 * of its folders), valid for the asked lifetime within the plan's maximum, rendered for aria2,
 * as plain URLs, or as a `curl --parallel` script. The links are the same capabilities as
 * `POST /api/files/:id/link` gives, so every download through them is metered the same way.
 */
route(linkListRoutes, endpoints.createLinkList, async (c, { params, body }) => {
  const { user } = requireAuth(c)
  const job = await getOwnJobRow(c.env.DB, params.id, user.id)
  if (!job) throw new HttpError(404, 'not_found', 'No such job.')
  const plan = await getPlan(c.env.DB, user.plan_id)
  const max = MAX_LINK_LIFETIME_SECONDS[user.plan_id]
  if (body.lifetimeSeconds > max) {
    throw new HttpError(
      400,
      'validation_failed',
      `Invalid body: lifetimeSeconds must be at most ${max} (${formatLifetime(max)}) on the ${plan.name} plan.`,
      { issues: [{ path: ['lifetimeSeconds'], message: `must be at most ${max}` }] },
    )
  }
  const blocked = await getBlockReason(c.env.DB, job.infohash)
  if (blocked !== null) {
    throw new HttpError(
      403,
      'blocked',
      `This content has been blocked and can no longer be downloaded: ${blocked}`,
    )
  }
  const folder = body.folder ?? ''
  const rows = (await listJobFileRows(c.env.DB, job.id)).filter(
    (f) => !folder || f.path.startsWith(`${folder}/`),
  )
  if (!rows.length) throw new HttpError(404, 'not_found', `This job has no folder "${folder}".`)
  const stored = rows.filter((f) => f.storage_key !== null)
  if (!stored.length) {
    throw new HttpError(409, 'conflict', 'None of these files is in storage yet.')
  }
  const expiresAt = Date.now() + body.lifetimeSeconds * 1000
  const files = await Promise.all(
    stored.map(async (f) => {
      const token = await signLink(c.env.LINK_SIGNING_KEY, {
        fileId: f.id,
        userId: user.id,
        expiresAt,
      })
      return { path: f.path, size: f.size, url: new URL(`/dl/${token}`, c.req.url).toString() }
    }),
  )
  const title = folder ? folder.slice(folder.lastIndexOf('/') + 1) : job.name
  const expires = new Date(expiresAt)
  const { text, contentType } = renderLinkList(body.format, files, title, expires)
  return {
    format: body.format,
    filename: linkListFilename(title, body.format),
    contentType,
    text,
    files,
    expiresAt: expires.toISOString(),
    lifetimeSeconds: body.lifetimeSeconds,
  }
})
