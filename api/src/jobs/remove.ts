import { deleteContent } from '../db/content.ts'
import { listStoredFiles } from '../db/content-objects.ts'
import { deleteJobStatement, isInfohashReferenced, type JobRow } from '../db/jobs.ts'
import { adjustStorageStatement } from '../db/usage.ts'
import { jobProgress } from '../durable/job-progress.ts'
import { forgetReads } from '../durable/user-session.ts'
import { log } from '../lib/log.ts'
import { deleteObject } from '../storage/s3.ts'

/**
 * Deletes a job: its agent is stopped, followers take over its download, the row goes (and with
 * it every file row, so signed links die at once), the owner's storage is freed, and the stored
 * objects are removed when no other job still references the content.
 */
export async function removeJob(
  env: Env,
  job: JobRow,
  extra: D1PreparedStatement[] = [],
): Promise<void> {
  await jobProgress(env, job.id).deleted(job.id)
  const db = env.DB
  await db.batch([
    adjustStorageStatement(db, job.user_id, -job.stored_bytes, Date.now()),
    deleteJobStatement(db, job.id),
    ...extra,
  ])
  await forgetReads(env, job.user_id)
  await removeUnreferencedContent(env, job.infohash)
}

/** Deletes the content of `infohash` from storage and D1 once no job refers to it. */
export async function removeUnreferencedContent(env: Env, infohash: string): Promise<number> {
  if (await isInfohashReferenced(env.DB, infohash)) return 0
  const objects = await listStoredFiles(env.DB, infohash)
  for (const { key } of objects) {
    await deleteObject(env, key).catch((error) =>
      log.error('object_delete_failed', { key, error: String(error) }),
    )
  }
  await deleteContent(env.DB, infohash)
  await env.KV.delete(`torrent:${infohash}`)
  return objects.length
}
