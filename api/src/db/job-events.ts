import type { JobEvent } from '@tseeder/shared'

/** Keeps a job's status, metadata and error events as its history (progress is not kept). */
export async function recordJobEvent(db: D1Database, event: JobEvent, at: number): Promise<void> {
  await db
    .prepare(
      'INSERT OR IGNORE INTO job_events (job_id, seq, type, payload, created_at) VALUES (?, ?, ?, ?, ?)',
    )
    .bind(event.jobId, event.seq, event.type, JSON.stringify(event), at)
    .run()
}
