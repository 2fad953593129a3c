/**
 * The `feed` table of each UserSessionDO's own SQLite storage (not D1): the user's recent job
 * events, numbered, for `Last-Event-ID` resumption.
 */
export type FeedRow = {
  id: number
  type: string
  data: string
}

export function createFeedTable(sql: SqlStorage): void {
  sql.exec(
    'CREATE TABLE IF NOT EXISTS feed (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, data TEXT NOT NULL)',
  )
}

/** Appends an event (its `data` as JSON) and returns the id it was given. */
export function appendFeedEvent(sql: SqlStorage, type: string, data: unknown): number {
  return sql
    .exec<{ id: number }>(
      'INSERT INTO feed (type, data) VALUES (?, ?) RETURNING id',
      type,
      JSON.stringify(data),
    )
    .one().id
}

export function deleteFeedUpTo(sql: SqlStorage, id: number): void {
  sql.exec('DELETE FROM feed WHERE id <= ?', id)
}

/** Up to `limit` events after `lastId`, oldest first. */
export function feedAfter(sql: SqlStorage, lastId: number, limit: number): FeedRow[] {
  return sql
    .exec<FeedRow>(
      'SELECT id, type, data FROM feed WHERE id > ? ORDER BY id LIMIT ?',
      lastId,
      limit,
    )
    .toArray()
}
