/**
 * The nonces of one agent's accepted signed requests, in its `AgentNoncesDO`'s own SQLite, each
 * until its request would be stale anyway. No index on the expiry: pruning scans once a minute,
 * and a row read costs far less than the index write every claim would add.
 */
export class SeenNonces {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      'CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID',
    )
  }

  /** Records `nonce` until `expiresAt`; false when it is already recorded and not yet expired. */
  claim(nonce: string, expiresAt: number, now: number): boolean {
    const cursor = this.sql.exec(
      `INSERT INTO nonces (nonce, expires_at) VALUES (?, ?)
       ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at < ?`,
      nonce,
      expiresAt,
      now,
    )
    return cursor.rowsWritten > 0
  }

  /** Forgets the expired nonces; returns the earliest expiry left, or null when none is left. */
  prune(now: number): number | null {
    this.sql.exec('DELETE FROM nonces WHERE expires_at < ?', now)
    const next = this.sql
      .exec<{ next: number | null }>('SELECT MIN(expires_at) AS next FROM nonces')
      .one().next
    return next ?? null
  }
}
