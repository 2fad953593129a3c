import { Hono } from 'hono'
import type { CreateJobForm } from '@tseeder/shared'
import {
  endpoints,
  isRunningStatus,
  mergeFileBytes,
  parseMagnet,
  streams,
  type CreateJobBody,
  type Endpoint,
  type JobAction,
  type ResumeJobBody,
} from '@tseeder/shared'
import { limitMessages, MAX_TORRENT_BYTES, parseTorrentFile } from '@tseeder/shared/torrent'
import type { AppContext, AppEnv } from '../env.ts'
import { getPlan } from '../db/plans.ts'
import { getUsage } from '../db/usage.ts'
import type { UserRow } from '../db/users.ts'
import { quotaError, storageProblem } from '../lib/quotas.ts'
import { auditRecord, auditStatement } from '../db/audit.ts'
import { listJobFileRows } from '../db/job-files.ts'
import { filesWithProgress } from '../jobs/file-progress.ts'
import { checkSelectionExists } from '../jobs/selection.ts'
import { withPlaceInLine } from '../db/dispatch-line.ts'
import { getOwnJobRow, listJobsPage, type JobRow } from '../db/jobs.ts'
import { ownJobsPageQuery } from '../db/own-jobs.ts'
import type { Page } from '../db/pages.ts'
import { jobProgress } from '../durable/job-progress.ts'
import { userSessions } from '../durable/user-session.ts'
import { eventStreamResponse } from '../lib/sse-hub.ts'
import { runJobAction } from '../jobs/actions.ts'
import { removeJob } from '../jobs/remove.ts'
import { submitJob, type Submission } from '../jobs/submit.ts'
import { batchWithCredential, readFromUserObject } from '../middleware/authenticate.ts'
import { consume, RATE_LIMITS } from '../middleware/rate-limit.ts'
import { HttpError } from '../lib/errors.ts'
import { requireAuth, route } from '../lib/route.ts'

export const jobRoutes = new Hono<AppEnv>()

function notFound(): HttpError {
  return new HttpError(404, 'not_found', 'No such job.')
}

async function toSubmission(body: CreateJobBody | CreateJobForm): Promise<Submission> {
  if ('magnet' in body) {
    const magnet = parseMagnet(body.magnet)
    if (!magnet.ok) throw new HttpError(400, magnet.code, magnet.message)
    return {
      infohash: magnet.infohash,
      name: magnet.name ?? magnet.infohash,
      source: 'magnet',
      magnet: magnet.magnet,
      torrent: null,
      files: null,
      selectedFiles: body.selectedFiles ?? null,
      chooseFiles: body.chooseFiles ?? false,
    }
  }
  if (body.torrent.size > MAX_TORRENT_BYTES) {
    throw new HttpError(413, 'payload_too_large', limitMessages.bytes(body.torrent.size))
  }
  const bytes = new Uint8Array(await body.torrent.arrayBuffer())
  const parsed = await parseTorrentFile(bytes)
  if (!parsed.ok) throw new HttpError(400, parsed.code, parsed.message)
  const { torrent } = parsed
  return {
    infohash: torrent.infohash,
    name: torrent.name,
    source: 'torrent',
    magnet: null,
    torrent: bytes,
    files: torrent.files,
    selectedFiles: body.selectedFiles ?? null,
    chooseFiles: body.chooseFiles ?? false,
  }
}

route(jobRoutes, endpoints.createJob, async (c, { body }) => {
  const { user } = requireAuth(c)
  await consume(c, RATE_LIMITS.jobCreatePerAccount, user.id)
  const { created, job } = await submitJob(c, user, await toSubmission(body))
  const [shown] = await withPlaceInLine(c.env.DB, [job])
  return c.json(endpoints.createJob.response.parse(shown), created ? 201 : 200)
})

// The list is the app's and the extension's most frequent request: read with the caller's
// credential in one D1 round trip, or in none once the user's object keeps that read (it is told
// of every change to the user's jobs and credentials: see `durable/user-reads.ts`).
batchWithCredential(endpoints.listJobs, (c, owner) => {
  const query = endpoints.listJobs.query.safeParse(c.req.query())
  if (!query.success) return null
  const { statement, page } = ownJobsPageQuery(c.env.DB, query.data, owner)
  return { statement, read: page }
})
readFromUserObject(endpoints.listJobs, (c, user, credential) => {
  // The first page of each view: the pages after it (and a bad cursor's 400) are D1's.
  const query = endpoints.listJobs.query.safeParse(c.req.query())
  if (!query.success || query.data.cursor) return undefined
  return user.object
    .readJobs(user.id, credential, query.data)
    .then(({ row, page }) => ({ row, prefetched: page }))
})

route(
  jobRoutes,
  endpoints.listJobs,
  async (c, { query }) => {
    const { user } = requireAuth(c)
    const page =
      (c.get('prefetched') as Page<JobRow> | undefined) ??
      (await listJobsPage(c.env.DB, { ...query, userId: user.id }))
    return { jobs: await withPlaceInLine(c.env.DB, page.rows), nextCursor: page.nextCursor }
  },
  // Built by `toJob` alone: the schema's parse would give it back unchanged.
  { sendAsBuilt: true },
)

route(jobRoutes, endpoints.getJob, async (c, { params }) => {
  const { user } = requireAuth(c)
  const job = await getOwnJobRow(c.env.DB, params.id, user.id)
  if (!job) throw notFound()
  const [files, live, leader] = await Promise.all([
    listJobFileRows(c.env.DB, job.id),
    jobProgress(c.env, job.id).live(),
    // A follower that joined mid-download has heard only the changes since: its leader has all.
    job.follows_job_id ? jobProgress(c.env, job.follows_job_id).live() : null,
  ])
  // The row's status is always current; its progress may be up to 10 s old: the DO's is not. A
  // queued job's wait is the line's, not the DO's.
  const { waiting, fileBytes, ...progress } = live?.status === job.status ? live.progress : {}
  const [shown] = await withPlaceInLine(c.env.DB, [job])
  return {
    ...shown!,
    ...progress,
    ...(waiting !== undefined && isRunningStatus(job.status) ? { waiting } : {}),
    files: filesWithProgress(files, mergeFileBytes(leader?.progress.fileBytes, fileBytes)),
  }
})

/** The files chosen for a job awaiting files exist and fit the owner's plan. */
async function checkChosenFiles(
  c: AppContext,
  user: UserRow,
  job: JobRow,
  selected: number[],
): Promise<void> {
  const files = await listJobFileRows(c.env.DB, job.id)
  if (!job.awaiting_files || !files.length) {
    throw new HttpError(
      409,
      'conflict',
      job.awaiting_files
        ? 'The file list is not known yet; choose files once the job shows them.'
        : 'Files can be chosen only while the job waits for a choice of files.',
    )
  }
  const byIndex = new Map(files.map((f) => [f.file_index, f]))
  checkSelectionExists(selected, [...byIndex.keys()])
  const [plan, usage] = await Promise.all([
    getPlan(c.env.DB, user.plan_id),
    getUsage(c.env.DB, user.id),
  ])
  const problem = storageProblem(
    plan,
    usage,
    selected.map((i) => byIndex.get(i)!),
  )
  if (problem) throw quotaError(problem)
}

route(jobRoutes, endpoints.jobHistory, async (c, { params }) => {
  const { user } = requireAuth(c)
  const job = await getOwnJobRow(c.env.DB, params.id, user.id)
  if (!job) throw notFound()
  return { events: await jobProgress(c.env, job.id).history() }
})

const ACTIONS = [
  [endpoints.pauseJob, 'pause'],
  [endpoints.resumeJob, 'resume'],
  [endpoints.cancelJob, 'cancel'],
  [endpoints.retryJob, 'retry'],
] as const satisfies readonly (readonly [Endpoint, JobAction])[]
for (const [endpoint, action] of ACTIONS) {
  route(jobRoutes, endpoint, async (c, input) => {
    const { user } = requireAuth(c)
    const job = await getOwnJobRow(c.env.DB, input.params.id, user.id)
    if (!job) throw notFound()
    const selectedFiles =
      'body' in input ? (input.body as ResumeJobBody | undefined)?.selectedFiles : undefined
    if (selectedFiles) await checkChosenFiles(c, user, job, selectedFiles)
    await runJobAction(c.env, job.id, action, {
      selectedFiles,
      audit: auditRecord(c, { action: `job.${action}`, targetType: 'job', targetId: job.id }),
    })
    const [shown] = await withPlaceInLine(c.env.DB, [
      (await getOwnJobRow(c.env.DB, job.id, user.id))!,
    ])
    return shown!
  })
}

route(jobRoutes, endpoints.deleteJob, async (c, { params }) => {
  const { user } = requireAuth(c)
  const job = await getOwnJobRow(c.env.DB, params.id, user.id)
  if (!job) throw notFound()
  await removeJob(c.env, job, [
    auditStatement(c, {
      action: 'job.deleted',
      targetType: 'job',
      targetId: job.id,
      meta: { infohash: job.infohash },
    }),
  ])
  return undefined
})

const stream = (path: `/${string}`, scope: 'jobs:read'): Endpoint => ({
  method: 'GET',
  path,
  access: 'user',
  scope,
  aup: true,
  response: null,
  status: 200,
})

route(jobRoutes, stream(streams.jobEvents.path, streams.jobEvents.scope), async (c) => {
  const { user } = requireAuth(c)
  const job = await getOwnJobRow(c.env.DB, c.req.param('id')!, user.id)
  if (!job) throw notFound()
  return openUserStream(c, job.id)
})

route(jobRoutes, stream(streams.userEvents.path, streams.userEvents.scope), async (c) =>
  openUserStream(c, null),
)

/**
 * Both streams are served by the user's `UserSessionDO` (a job's is relayed from its
 * `JobProgressDO`), tagged with the credential that opened them, so that ending the credential
 * ends them.
 */
async function openUserStream(c: AppContext, jobId: string | null): Promise<Response> {
  const auth = requireAuth(c)
  const stream = await userSessions(c.env, auth.user.id).openStream(
    auth.sessionId ?? auth.tokenId ?? '',
    c.req.header('last-event-id') ?? '',
    jobId,
  )
  if (!stream) throw new HttpError(401, 'not_signed_in', 'This sign-in has ended. Sign in again.')
  return eventStreamResponse(stream)
}
