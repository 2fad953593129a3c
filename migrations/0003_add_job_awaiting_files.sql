-- A job created with "choose files first" stops once its file list is known and waits, paused,
-- until its owner picks files (POST /api/jobs/:id/resume with selectedFiles).
ALTER TABLE jobs ADD COLUMN awaiting_files INTEGER NOT NULL DEFAULT 0;
