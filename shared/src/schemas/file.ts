import { z } from 'zod'

/**
 * A file of a torrent as tseeder knows it: its position in the torrent's file list, its
 * sanitised relative path (`/`-separated, never from `..` or absolute segments) and its size.
 * The agent, the API, the job's Durable Object and the torrent parser all speak this shape.
 */
export const FileEntry = z.object({
  index: z.number().int().nonnegative(),
  path: z.string().min(1).max(4096),
  size: z.number().int().nonnegative(),
})
export type FileEntry = z.infer<typeof FileEntry>

/** A file whose bytes are in object storage, under `key`. */
export const StoredFileEntry = FileEntry.extend({
  key: z.string().min(1).max(1024),
  mimeType: z.string().max(255).optional(),
  /**
   * CRC-32 of the bytes, recorded by the agent as it uploads (ZIP archives are built from it).
   * Absent for files stored before agents recorded it.
   */
  crc32: z.number().int().min(0).max(0xffffffff).optional(),
})
export type StoredFileEntry = z.infer<typeof StoredFileEntry>
