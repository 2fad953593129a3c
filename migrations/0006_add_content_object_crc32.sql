-- Each stored object's CRC-32, recorded by the agent while it uploads: ZIP archives of a job are
-- built from it without hashing anything. NULL for objects stored before agents recorded it.
ALTER TABLE content_objects ADD COLUMN crc32 INTEGER;
