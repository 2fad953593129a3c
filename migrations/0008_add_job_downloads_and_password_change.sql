-- What the job list tells of a job's files without reading them: how many can be downloaded now,
-- and the id of the only one when there is exactly one (the extension popup's Download).
ALTER TABLE jobs ADD COLUMN available_files INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN single_file_id TEXT;

UPDATE jobs SET
  available_files = (
    SELECT COUNT(*) FROM job_files f
    WHERE f.job_id = jobs.id AND f.selected = 1 AND f.storage_key IS NOT NULL
  ),
  single_file_id = (
    SELECT CASE WHEN COUNT(*) = 1 THEN MIN(f.id) END FROM job_files f
    WHERE f.job_id = jobs.id AND f.selected = 1 AND f.storage_key IS NOT NULL
  );

-- Set by an operator's password reset: the one-time password signs in only to choose a new one.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
  CHECK (must_change_password IN (0, 1));
