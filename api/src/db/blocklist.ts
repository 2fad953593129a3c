import { iso } from '../lib/time.ts'

export interface BlocklistRow {
  infohash: string
  reason: string
  notice_url: string | null
  created_at: number
}

export function toBlocklistEntry(row: BlocklistRow) {
  return {
    infohash: row.infohash,
    reason: row.reason,
    noticeUrl: row.notice_url,
    createdAt: iso(row.created_at),
  }
}

/** Why `infohash` is blocked, or null when it is not on the blocklist. */
export function getBlockReason(db: D1Database, infohash: string): Promise<string | null> {
  return db
    .prepare('SELECT reason FROM blocklist WHERE infohash = ?')
    .bind(infohash)
    .first<string>('reason')
}

export async function listBlocklist(db: D1Database): Promise<BlocklistRow[]> {
  const { results } = await db
    .prepare('SELECT * FROM blocklist ORDER BY created_at DESC')
    .all<BlocklistRow>()
  return results
}

/** Adds `row`, or replaces the reason and notice of an entry already listed. */
export function upsertBlocklistStatement(
  db: D1Database,
  row: BlocklistRow,
  createdBy: string,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO blocklist (infohash, reason, notice_url, created_by, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (infohash) DO UPDATE SET reason = excluded.reason, notice_url = excluded.notice_url`,
    )
    .bind(row.infohash, row.reason, row.notice_url, createdBy, row.created_at)
}

export function deleteBlocklistStatement(db: D1Database, infohash: string): D1PreparedStatement {
  return db.prepare('DELETE FROM blocklist WHERE infohash = ?').bind(infohash)
}
