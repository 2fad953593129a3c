import type { AgentCallback, JobProgressState } from '@tseeder/shared'
import { getBlockReason } from '../db/blocklist.ts'
import { listJobFileSizes } from '../db/job-files.ts'
import { getPlan } from '../db/plans.ts'
import { getUsage } from '../db/usage.ts'
import { parkedWaitingOf, selectedFilesOf, type JobRow } from '../db/jobs.ts'
import { findUserById } from '../db/users.ts'
import { activeJobsLimitReached, storageProblem } from '../lib/quotas.ts'
import type { FileSize, MetadataChecks } from './job-intents.ts'

const NO_CHECKS: MetadataChecks = { quotaProblem: null, blockedReason: null }

/**
 * What the lifecycle core needs to know about a torrent's metadata: whether its files fit the
 * owner's plan (not asked while the owner still chooses files) and whether it is blocked.
 */
export async function metadataChecks(
  db: D1Database,
  s: JobProgressState | null,
  cb: AgentCallback,
): Promise<MetadataChecks> {
  if (!s || cb.type !== 'metadata_ready') return NO_CHECKS
  return {
    quotaProblem: s.awaitingFiles ? null : await quotaProblem(db, s, cb.files),
    blockedReason: await getBlockReason(db, cb.infohash),
  }
}

async function quotaProblem(
  db: D1Database,
  s: JobProgressState,
  files: { index: number; path: string; size: number }[],
): Promise<string | null> {
  const user = await findUserById(db, s.userId)
  if (!user) return null
  const [plan, usage] = await Promise.all([getPlan(db, user.plan_id), getUsage(db, s.userId)])
  const selected = s.selectedFiles ? new Set(s.selectedFiles) : null
  const mine = files.filter((f) => !selected || selected.has(f.index))
  return storageProblem(plan, usage, mine)?.message ?? null
}

/** The job's file list while it waits for its owner to choose (else none is needed). */
export async function filesAwaitingChoice(
  db: D1Database,
  s: JobProgressState | null,
): Promise<FileSize[]> {
  return s?.awaitingFiles ? listJobFileSizes(db, s.jobId) : []
}

/** What the owner reads when a resume or retry finds no active-job slot free on their plan. */
export async function activeSlotRefusal(db: D1Database, userId: string): Promise<string> {
  const user = await findUserById(db, userId)
  if (!user) return 'Your plan has no room for another active job.'
  return activeJobsLimitReached(await getPlan(db, user.plan_id)).message
}

/** The state of a job from its D1 row (first use, or a stored state that does not parse). */
export function stateFromRow(row: JobRow, seq: number): JobProgressState {
  return {
    jobId: row.id,
    userId: row.user_id,
    infohash: row.infohash,
    status: row.status,
    selectedFiles: selectedFilesOf(row),
    awaitingFiles: row.awaiting_files === 1,
    storedBytes: row.stored_bytes,
    progressPct: row.progress_pct,
    bytesDownloaded: row.bytes_downloaded,
    bytesTotal: row.bytes_total,
    downloadSpeed: 0,
    uploadSpeed: 0,
    eta: null,
    peers: 0,
    seeds: 0,
    lastHeartbeat: row.updated_at,
    workerId: row.agent_id,
    attempt: row.attempt,
    // Without its own count, the job's dispatches so far are its tries.
    tries: row.attempt,
    lastAgentSeq: row.last_agent_seq,
    seq,
    persistedAt: row.updated_at,
    leaderId: row.follows_job_id,
    waiting: parkedWaitingOf(row),
  }
}
