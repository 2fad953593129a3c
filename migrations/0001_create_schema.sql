-- tseeder's D1 schema. Times are Unix milliseconds (UTC); byte sizes are integers.
-- Migrations are never edited after they land: add a new numbered file instead.

CREATE TABLE plans (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  sort_order INTEGER NOT NULL,
  -- NULL means unlimited.
  max_active_jobs INTEGER,
  storage_bytes INTEGER,
  max_file_bytes INTEGER,
  bandwidth_bytes_per_month INTEGER,
  retention_days INTEGER,
  max_sessions INTEGER
);

INSERT INTO plans (id, name, sort_order, max_active_jobs, storage_bytes, max_file_bytes, bandwidth_bytes_per_month, retention_days, max_sessions) VALUES
  ('free', 'Free', 0, 2, 5000000000, 500000000, 50000000000, 7, 3),
  ('pro', 'Pro', 1, 10, 50000000000, 5000000000, 500000000000, 30, NULL),
  ('business', 'Business', 2, 50, 500000000000, 25000000000, 5000000000000, 90, NULL),
  ('enterprise', 'Enterprise', 3, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  password_salt TEXT NOT NULL,
  password_iterations INTEGER NOT NULL,
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  plan_id TEXT NOT NULL DEFAULT 'free' REFERENCES plans (id),
  suspended INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1)),
  aup_accepted_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX users_by_created ON users (created_at DESC, id DESC);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  csrf_token TEXT NOT NULL,
  device_label TEXT NOT NULL,
  ip TEXT,
  user_agent TEXT,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  revoked_reason TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id, revoked_at, created_at DESC);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  token_prefix TEXT NOT NULL,
  -- Space-separated scopes: jobs:read jobs:write files:read
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, revoked_at, created_at DESC);

CREATE TABLE usage (
  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  storage_bytes INTEGER NOT NULL DEFAULT 0,
  bandwidth_bytes INTEGER NOT NULL DEFAULT 0,
  -- The UTC month (YYYY-MM) bandwidth_bytes counts; reset by the monthly cron.
  bandwidth_period TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Content stored once per info hash and shared by every job that has it (dedup).
CREATE TABLE content (
  infohash TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  bytes_total INTEGER NOT NULL,
  stored_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL
);

CREATE TABLE content_objects (
  infohash TEXT NOT NULL REFERENCES content (infohash) ON DELETE CASCADE,
  file_index INTEGER NOT NULL,
  storage_key TEXT NOT NULL,
  size INTEGER NOT NULL,
  mime_type TEXT NOT NULL,
  PRIMARY KEY (infohash, file_index)
);

CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  capacity INTEGER NOT NULL,
  active_jobs INTEGER NOT NULL,
  free_disk_bytes INTEGER NOT NULL,
  version TEXT NOT NULL,
  last_heartbeat_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX agents_by_heartbeat ON agents (last_heartbeat_at DESC);

CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  infohash TEXT NOT NULL,
  name TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('magnet', 'torrent')),
  -- The validated, rebuilt magnet (never the user's raw text).
  magnet TEXT,
  selected_files TEXT,
  status TEXT NOT NULL CHECK (status IN ('submitted', 'metadata_fetch', 'queued', 'downloading', 'uploading', 'completed', 'paused', 'failed', 'cancelled')),
  progress_pct REAL NOT NULL DEFAULT 0,
  bytes_downloaded INTEGER NOT NULL DEFAULT 0,
  bytes_total INTEGER NOT NULL DEFAULT 0,
  download_speed REAL NOT NULL DEFAULT 0,
  upload_speed REAL NOT NULL DEFAULT 0,
  eta INTEGER,
  peers INTEGER NOT NULL DEFAULT 0,
  seeds INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT,
  -- Storage this job counts toward its owner's quota (set when completed).
  stored_bytes INTEGER NOT NULL DEFAULT 0,
  agent_id TEXT,
  attempt INTEGER NOT NULL DEFAULT 0,
  last_agent_seq INTEGER NOT NULL DEFAULT 0,
  -- Another user's in-flight job this one follows instead of downloading twice.
  follows_job_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  completed_at INTEGER,
  UNIQUE (user_id, infohash)
);
CREATE INDEX jobs_by_user ON jobs (user_id, created_at DESC, id DESC);
CREATE INDEX jobs_by_user_status ON jobs (user_id, status, created_at DESC);
CREATE INDEX jobs_by_infohash ON jobs (infohash, status);
CREATE INDEX jobs_by_status ON jobs (status, updated_at);
CREATE INDEX jobs_by_agent ON jobs (agent_id, status);
CREATE INDEX jobs_by_follows ON jobs (follows_job_id);
CREATE INDEX jobs_by_created ON jobs (created_at DESC, id DESC);

CREATE TABLE job_files (
  id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  file_index INTEGER NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  mime_type TEXT NOT NULL,
  selected INTEGER NOT NULL DEFAULT 1 CHECK (selected IN (0, 1)),
  storage_key TEXT,
  UNIQUE (job_id, file_index)
);

CREATE TABLE job_events (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, seq)
);

CREATE TABLE blocklist (
  infohash TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  notice_url TEXT,
  created_by TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX blocklist_by_created ON blocklist (created_at DESC);

CREATE TABLE push_subscriptions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  endpoint TEXT NOT NULL UNIQUE,
  p256dh TEXT NOT NULL,
  auth TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_success_at INTEGER
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id);

-- Append-only: the triggers below make the database itself refuse to change history.
-- actor_id is deliberately not a foreign key: the log outlives what it names.
CREATE TABLE audit_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at INTEGER NOT NULL,
  actor_id TEXT,
  actor_type TEXT NOT NULL CHECK (actor_type IN ('user', 'admin', 'token', 'agent', 'system', 'anonymous')),
  action TEXT NOT NULL,
  target_type TEXT,
  target_id TEXT,
  ip TEXT,
  user_agent TEXT,
  request_id TEXT,
  meta TEXT
);
CREATE INDEX audit_logs_by_actor ON audit_logs (actor_id, id DESC);
CREATE INDEX audit_logs_by_action ON audit_logs (action, id DESC);
CREATE INDEX audit_logs_by_target ON audit_logs (target_type, target_id);

CREATE TRIGGER audit_logs_no_update BEFORE UPDATE ON audit_logs
BEGIN
  SELECT RAISE(ABORT, 'audit_logs is append-only');
END;

CREATE TRIGGER audit_logs_no_delete BEFORE DELETE ON audit_logs
BEGIN
  SELECT RAISE(ABORT, 'audit_logs is append-only');
END;
