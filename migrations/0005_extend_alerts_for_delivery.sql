-- Alerts that reach a person (issue #19): each alert has a dedup key (kind:subject), a severity
-- and a runbook anchor, is open while its condition holds and resolved when it clears, and is
-- delivered (opened, resolved) to the operators' webhook with retries.
ALTER TABLE alerts ADD COLUMN dedup_key TEXT;
ALTER TABLE alerts ADD COLUMN subject TEXT;
ALTER TABLE alerts ADD COLUMN severity TEXT NOT NULL DEFAULT 'warning' CHECK (severity IN ('critical', 'warning', 'info'));
ALTER TABLE alerts ADD COLUMN runbook TEXT;
ALTER TABLE alerts ADD COLUMN resolved_at INTEGER;

-- Rows from before this migration were one-off notices with nothing to resolve them: they stay
-- readable as resolved history (no dedup key, so they never block a new alert).
UPDATE alerts SET subject = job_id, resolved_at = created_at;

-- At most one open alert per key: opening one is an INSERT OR IGNORE.
CREATE UNIQUE INDEX alerts_open_by_key ON alerts (dedup_key) WHERE resolved_at IS NULL;

-- One row per webhook delivery of an alert's opening or resolution, retried with backoff by the
-- every-minute cron until delivered or given up ('failed').
CREATE TABLE alert_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  event TEXT NOT NULL CHECK (event IN ('opened', 'resolved')),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  delivered_at INTEGER,
  UNIQUE (alert_id, event)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_attempt_at);

-- /api/* requests and 5xx answers per minute, flushed from each isolate's counters at most every
-- few seconds (never a write per request): the error-rate alert reads the last minutes.
CREATE TABLE api_request_counts (
  minute INTEGER PRIMARY KEY,
  requests INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0
);
