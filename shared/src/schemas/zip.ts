import { z } from 'zod'
import { Timestamp } from './common.ts'

/** `POST /api/jobs/:id/zip`: the whole job, or one folder of it (a path as the file list shows). */
export const CreateZipBody = z
  .object({
    folder: z
      .string()
      .max(4096)
      .transform((f) => f.replace(/^\/+|\/+$/g, ''))
      .optional(),
  })
  .optional()
export type CreateZipBody = z.infer<typeof CreateZipBody>

/**
 * A capability URL for a ZIP of stored files, valid until `expiresAt`: anyone holding it can
 * download the archive, which has exactly `size` bytes and supports `Range`.
 */
export const ZipLink = z.object({
  url: z.string(),
  expiresAt: Timestamp,
  /** The archive's file name (`<job or folder name>.zip`). */
  name: z.string(),
  size: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
})
export type ZipLink = z.infer<typeof ZipLink>
