-- The dispatch line (issue #14). A job waits `queued` in one line across the fleet, ordered
-- round-robin across users within a plan's priority; lack of room costs it no attempt.

-- Plans: `max_active_jobs` now counts transfers (jobs moving bytes on an agent); jobs waiting
-- (queued, or parked on an agent looking for metadata or peers) have their own limit. NULL: none.
ALTER TABLE plans ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN max_queued_jobs INTEGER;
ALTER TABLE plans ADD COLUMN max_queue_wait_ms INTEGER;
UPDATE plans SET priority = 0, max_queued_jobs = 10, max_queue_wait_ms = 86400000 WHERE id = 'free';
UPDATE plans SET priority = 10, max_queued_jobs = 50, max_queue_wait_ms = 259200000 WHERE id = 'pro';
UPDATE plans SET priority = 20, max_queued_jobs = 200, max_queue_wait_ms = 604800000 WHERE id = 'business';
UPDATE plans SET priority = 30, max_queued_jobs = NULL, max_queue_wait_ms = NULL WHERE id = 'enterprise';

-- A job's place in line (set when it joins the line: submitted, resumed, retried; kept when an
-- agent is lost under it), when it may next be tried after an agent error, and why it moves no
-- bytes while parked on an agent (reason, since, until when before it gives up).
ALTER TABLE jobs ADD COLUMN queued_at INTEGER;
ALTER TABLE jobs ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN waiting_reason TEXT;
ALTER TABLE jobs ADD COLUMN waiting_since INTEGER;
ALTER TABLE jobs ADD COLUMN waiting_until INTEGER;
UPDATE jobs SET queued_at = created_at WHERE queued_at IS NULL;
CREATE INDEX jobs_in_line ON jobs (status, queued_at);

-- Agents: transfer slots in use, parked torrents and how many it may hold, and the operator's drain.
ALTER TABLE agents ADD COLUMN transfers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN parked_jobs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN idle_capacity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN draining INTEGER NOT NULL DEFAULT 0 CHECK (draining IN (0, 1));
