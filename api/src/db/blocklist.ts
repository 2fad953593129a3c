/** Why `infohash` is blocked, or null when it is not. */
export function blockedReason(db: D1Database, infohash: string): Promise<string | null> {
  return db
    .prepare('SELECT reason FROM blocklist WHERE infohash = ?')
    .bind(infohash)
    .first<string>('reason')
}
