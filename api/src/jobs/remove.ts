import type { JobRow } from '../db/jobs.ts'
import { jobProgress } from '../durable/job-progress.ts'
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
    db
      .prepare(
        'UPDATE usage SET storage_bytes = MAX(0, storage_bytes - ?), updated_at = ? WHERE user_id = ?',
      )
      .bind(job.stored_bytes, Date.now(), job.user_id),
    db.prepare('DELETE FROM jobs WHERE id = ?').bind(job.id),
    ...extra,
  ])
  await removeUnreferencedContent(env, job.infohash)
}

/** Deletes the content of `infohash` from storage and D1 once no job refers to it. */
export async function removeUnreferencedContent(env: Env, infohash: string): Promise<number> {
  const referenced = await env.DB.prepare('SELECT 1 FROM jobs WHERE infohash = ? LIMIT 1')
    .bind(infohash)
    .first()
  if (referenced) return 0
  const { results } = await env.DB.prepare(
    'SELECT storage_key FROM content_objects WHERE infohash = ?',
  )
    .bind(infohash)
    .all<{ storage_key: string }>()
  for (const { storage_key } of results) {
    await deleteObject(env, storage_key).catch((error) =>
      log.error('object_delete_failed', { key: storage_key, error: String(error) }),
    )
  }
  await env.DB.prepare('DELETE FROM content WHERE infohash = ?').bind(infohash).run()
  await env.KV.delete(`torrent:${infohash}`)
  return results.length
}
