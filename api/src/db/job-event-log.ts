import type { JobEvent } from '@tseeder/shared'
import type { HubEvent } from '../lib/sse-hub.ts'

/** Events replayed at most after a `Last-Event-ID`; older progress is pruned. */
const REPLAY_LIMIT = 500
const HISTORY_LIMIT = 1000

type Row = { seq: number; type: string; data: string }

/**
 * A job's numbered events in its Durable Object's own SQLite: replayed to streams that reconnect
 * with `Last-Event-ID`, and (all but progress) kept as the job's history.
 */
export class JobEventLog {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      'CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL)',
    )
  }

  append(event: JobEvent): void {
    this.sql.exec(
      'INSERT INTO events (seq, type, data) VALUES (?, ?, ?)',
      event.seq,
      event.type,
      JSON.stringify(event),
    )
    // Progress is pruned; status, metadata and error events stay as the job's history.
    if (event.seq % 100 === 0)
      this.sql.exec(
        "DELETE FROM events WHERE type = 'progress' AND seq <= ?",
        event.seq - REPLAY_LIMIT,
      )
  }

  /** The events after `lastId`, or without one the latest event of each type. */
  replay(lastId: number): HubEvent[] {
    const rows =
      Number.isSafeInteger(lastId) && lastId > 0
        ? this.sql
            .exec<Row>(
              'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
              lastId,
              REPLAY_LIMIT,
            )
            .toArray()
        : this.sql
            .exec<Row>(
              'SELECT * FROM events WHERE seq IN (SELECT MAX(seq) FROM events GROUP BY type) ORDER BY seq',
            )
            .toArray()
    return rows.map((r) => ({ id: r.seq, type: r.type, data: JSON.parse(r.data) }))
  }

  /** The status, metadata and error events, oldest first. */
  history(): JobEvent[] {
    return this.sql
      .exec<{ data: string }>(
        "SELECT data FROM events WHERE type != 'progress' ORDER BY seq LIMIT ?",
        HISTORY_LIMIT,
      )
      .toArray()
      .map((row) => JSON.parse(row.data) as JobEvent)
  }

  /** The last event's number (0 without events), so a rebuilt state numbers on from it. */
  lastSeq(): number {
    return (
      this.sql.exec<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM events').one().seq ?? 0
    )
  }
}
