/** An alert for the operators (shown on the admin page). */
export async function recordAlert(
  db: D1Database,
  alert: { kind: string; jobId: string | null; message: string },
  at = Date.now(),
): Promise<void> {
  await db
    .prepare('INSERT INTO alerts (created_at, kind, job_id, message) VALUES (?, ?, ?, ?)')
    .bind(at, alert.kind, alert.jobId, alert.message)
    .run()
}
