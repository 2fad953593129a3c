/** How many files the stored content of `infohash` has, or null when none is stored. */
export function getContentFileCount(db: D1Database, infohash: string): Promise<number | null> {
  return db
    .prepare('SELECT file_count FROM content WHERE infohash = ?')
    .bind(infohash)
    .first<number>('file_count')
}

/** The name the content of `infohash` was stored under, or null. */
export function getContentName(db: D1Database, infohash: string): Promise<string | null> {
  return db
    .prepare('SELECT name FROM content WHERE infohash = ?')
    .bind(infohash)
    .first<string>('name')
}

/** Forgets the content of `infohash` (its `content_objects` rows go with it, by cascade). */
export async function deleteContent(db: D1Database, infohash: string): Promise<void> {
  await db.prepare('DELETE FROM content WHERE infohash = ?').bind(infohash).run()
}
