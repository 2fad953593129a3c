-- Operator alerts (dead-lettered dispatches, stale jobs), shown to admins and logged.
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  job_id TEXT,
  message TEXT NOT NULL
);
CREATE INDEX alerts_by_created ON alerts (created_at DESC);

-- The newest signed timestamp seen from each agent: an older or equal one is a replay.
ALTER TABLE agents ADD COLUMN last_signed_at INTEGER NOT NULL DEFAULT 0;

-- Instant availability needs each stored file's path and the torrent's file count.
ALTER TABLE content_objects ADD COLUMN path TEXT NOT NULL DEFAULT '';
ALTER TABLE content ADD COLUMN file_count INTEGER NOT NULL DEFAULT 0;
