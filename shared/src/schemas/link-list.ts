import { z } from 'zod'
import { Timestamp } from './common.ts'
import { DEFAULT_LINK_LIFETIME_SECONDS, MIN_LINK_LIFETIME_SECONDS } from '../link-lifetimes.ts'

/** What a link list is for: aria2's input file, one URL a line, or a `curl --parallel` script. */
export const LinkListFormat = z.enum(['aria2', 'urls', 'curl'])
export type LinkListFormat = z.infer<typeof LinkListFormat>

export const LinkListBody = z.object({
  format: LinkListFormat,
  /** A folder of the job as the web app shows it (`Season 1/Extras`); all files when absent. */
  folder: z
    .string()
    .max(4096)
    .transform((s) => s.replace(/^\/+|\/+$/g, ''))
    .optional(),
  /** How long the links work, in seconds: at least 5 minutes, at most the plan's maximum. */
  lifetimeSeconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(MIN_LINK_LIFETIME_SECONDS, `must be at least ${MIN_LINK_LIFETIME_SECONDS} seconds`)
    .default(DEFAULT_LINK_LIFETIME_SECONDS),
})
export type LinkListBody = z.input<typeof LinkListBody>

export const LinkList = z.object({
  format: LinkListFormat,
  /** A file name to save `text` under (`<job>.aria2`, `.txt`, `.sh`). */
  filename: z.string(),
  contentType: z.string(),
  /** The list itself, ready to save or paste. */
  text: z.string(),
  /** Every file of the list with its signed link, in the job's order. */
  files: z.array(z.object({ path: z.string(), size: z.number().int(), url: z.string() })),
  expiresAt: Timestamp,
  lifetimeSeconds: z.number().int(),
})
export type LinkList = z.infer<typeof LinkList>
