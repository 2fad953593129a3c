import { isActiveStatus, type Plan, type StoredFileEntry } from '@tseeder/shared'
import { mimeTypeOf } from '@tseeder/shared/mime'
import type { AppContext } from '../env.ts'
import { auditEachStatement, auditRecord } from '../db/audit.ts'
import { getBlockReason } from '../db/blocklist.ts'
import { getContentName } from '../db/content.ts'
import { copyJobFilesStatement, insertJobFileStatement, knownMetadata } from '../db/job-files.ts'
import { dropJobOverActiveLimitStatement } from '../db/active-jobs.ts'
import {
  findUserJobByInfohash,
  getJobRow,
  insertJobStatement,
  jobById,
  findInFlightDownload,
  type JobRow,
} from '../db/jobs.ts'
import { getPlan } from '../db/plans.ts'
import { getUsage } from '../db/usage.ts'
import type { UserRow } from '../db/users.ts'
import { jobProgress } from '../durable/job-progress.ts'
import { forgetReads } from '../durable/user-session.ts'
import { storedContentFor } from './content.ts'
import { checkSelectionExists } from './selection.ts'
import { HttpError } from '../lib/errors.ts'
import { log } from '../lib/log.ts'
import { activeJobsLimitReached, quotaError, storageProblem } from '../lib/quotas.ts'
import { enqueueDispatch } from '../queue/dispatch-queue.ts'

/** What a user asked to download, validated and parsed (from a magnet link or a .torrent). */
export interface Submission {
  infohash: string
  name: string
  source: 'magnet' | 'torrent'
  magnet: string | null
  torrent: Uint8Array | null
  /** Known for .torrent uploads; null for magnets until the agent fetches metadata. */
  files: { index: number; path: string; size: number }[] | null
  selectedFiles: number[] | null
  /** Wait, paused, for the owner to choose files once the file list is known. */
  chooseFiles: boolean
}

export type SubmitOutcome = { created: boolean; job: JobRow }

/** KV key of an uploaded .torrent, kept for dispatches and re-dispatches (immutable: keyed by hash). */
export function torrentKey(infohash: string): string {
  return `torrent:${infohash}`
}

function checkSelection(submission: Submission): void {
  if (!submission.files || !submission.selectedFiles) return
  checkSelectionExists(
    submission.selectedFiles,
    submission.files.map((f) => f.index),
  )
}

function chooseFiles(submission: Submission): boolean {
  return submission.chooseFiles && !submission.selectedFiles
}

function neededFiles(submission: Submission) {
  const selected = submission.selectedFiles ? new Set(submission.selectedFiles) : null
  return (submission.files ?? []).filter((f) => !selected || selected.has(f.index))
}

/**
 * `POST /api/jobs` after validation: blocklist → the same user's job (200) → quotas → stored
 * content (completed at once) → another user's download in flight (followed) → a new job,
 * dispatched through the queue (or, choosing files with the file list known, paused for the
 * choice). The active-jobs limit is checked by the insert itself.
 */
export async function submitJob(
  c: AppContext,
  user: UserRow,
  submission: Submission,
): Promise<SubmitOutcome> {
  const db = c.env.DB
  checkSelection(submission)
  // A magnet whose file list another job of this content already brought: the choice can be
  // made at once, as for a .torrent, without an agent fetching the metadata again.
  if (chooseFiles(submission) && !submission.files) {
    const known = await knownMetadata(db, submission.infohash)
    if (known) submission = { ...submission, name: known.name, files: known.files }
  }
  // Independent reads run together; the decisions below still follow the documented order.
  const [blocked, existing, plan, usage, stored, leader] = await Promise.all([
    getBlockReason(db, submission.infohash),
    findUserJobByInfohash(db, user.id, submission.infohash),
    getPlan(db, user.plan_id),
    getUsage(db, user.id),
    storedContentFor(db, submission.infohash, submission.selectedFiles),
    // A job that waits for a choice of files looks for a download to ride on once it is made.
    chooseFiles(submission)
      ? null
      : findInFlightDownload(db, submission.infohash, submission.selectedFiles),
  ])
  if (blocked) throw new HttpError(403, 'blocked', `This content is blocked: ${blocked}`)
  if (existing) return { created: false, job: existing }

  if (stored) {
    const selected = submission.selectedFiles ? new Set(submission.selectedFiles) : null
    const problem = storageProblem(
      plan,
      usage,
      stored.filter((f) => !selected || selected.has(f.index)),
    )
    if (problem) throw quotaError(problem)
    return insertJob(c, user, submission, plan, { status: 'completed', stored })
  }

  // With a choice of files to come, the chosen files are checked instead (at resume).
  const storage =
    submission.files && !chooseFiles(submission)
      ? storageProblem(plan, usage, neededFiles(submission))
      : null
  if (storage) throw quotaError(storage)

  if (leader) return insertJob(c, user, submission, plan, { status: leader.status, leader })
  if (submission.torrent) await c.env.KV.put(torrentKey(submission.infohash), submission.torrent)
  // A .torrent's file list is known now: the choice can be made before any dispatch.
  if (chooseFiles(submission) && submission.files) {
    return insertJob(c, user, submission, plan, { status: 'paused' })
  }
  return insertJob(c, user, submission, plan, { status: 'submitted' })
}

async function insertJob(
  c: AppContext,
  user: UserRow,
  submission: Submission,
  plan: Plan,
  mode: { status: JobRow['status']; stored?: StoredFileEntry[]; leader?: JobRow },
): Promise<SubmitOutcome> {
  const db = c.env.DB
  const now = Date.now()
  const id = crypto.randomUUID()
  const files = neededFiles(submission)
  const bytesTotal = files.reduce((sum, f) => sum + f.size, 0)
  const leader = mode.leader
  // A magnet without a display name is named after its info hash until metadata arrives; stored
  // content never sends metadata again, so it lends the name it was stored under.
  const storedName =
    mode.stored && submission.name === submission.infohash
      ? await getContentName(db, submission.infohash)
      : null
  const statements = [
    insertJobStatement(db, {
      id,
      userId: user.id,
      infohash: submission.infohash,
      name: leader?.name ?? storedName ?? submission.name,
      source: submission.source,
      magnet: submission.magnet,
      selectedFiles: submission.selectedFiles,
      awaitingFiles: !mode.stored && !leader && chooseFiles(submission),
      status: mode.status === 'completed' ? 'submitted' : mode.status,
      bytesTotal: leader ? leader.bytes_total : bytesTotal,
      progressPct: leader?.progress_pct ?? 0,
      bytesDownloaded: leader?.bytes_downloaded ?? 0,
      followsJobId: leader?.id ?? null,
      now,
    }),
    ...(submission.files ?? []).map((f) =>
      insertJobFileStatement(db, id, {
        ...f,
        mimeType: mimeTypeOf(f.path),
        selected: !submission.selectedFiles || submission.selectedFiles.includes(f.index),
      }),
    ),
    ...(leader && !submission.files ? [copyJobFilesStatement(db, id, leader.id)] : []),
  ]
  // Content completed at once from storage never runs, so it takes no active slot.
  const takesSlot = !mode.stored && isActiveStatus(mode.status)
  if (takesSlot) statements.push(dropJobOverActiveLimitStatement(db, id, user.id))
  const dropped = statements.length - 1
  // Last in the batch: audited only if the row is still there (not dropped over the limit).
  statements.push(
    auditEachStatement(
      db,
      auditRecord(c, {
        action: 'job.created',
        targetType: 'job',
        meta: {
          infohash: submission.infohash,
          source: submission.source,
          mode: mode.stored ? 'instant' : leader ? 'follow' : 'new',
        },
      }),
      jobById(id),
    ),
  )
  const results = await db.batch(statements)
  await forgetReads(c.env, user.id)
  if (takesSlot && results[dropped]!.meta.changes > 0)
    throw quotaError(activeJobsLimitReached(plan))

  const progress = jobProgress(c.env, id)
  if (leader) await jobProgress(c.env, leader.id).followersChanged()
  if (mode.stored) {
    await progress.created(id)
    await progress.completeFromContent(id, mode.stored)
  } else {
    // The answer does not wait for the announcement and the dispatch; they run in this order
    // (so streams see `submitted` first). If they fail, the cron fills the line every minute.
    c.executionCtx.waitUntil(
      (async () => {
        await progress.created(id)
        if (!leader && mode.status === 'submitted')
          await enqueueDispatch(c.env, { id, user_id: user.id, infohash: submission.infohash })
      })().catch((error) => log.error('job_announce_failed', { jobId: id, error: String(error) })),
    )
  }
  return { created: true, job: (await getJobRow(db, id))! }
}
