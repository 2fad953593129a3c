import { z } from 'zod'
import { looksLikeMagnet } from '../magnet.ts'
import { CreateJobBody } from './job.ts'

/**
 * What the extension's content script tells its background after a person clicked a magnet
 * link. `isTrusted` is the click's own flag: a page script can dispatch clicks (`a.click()`), but
 * the browser marks only a person's clicks as trusted, and only those may send a job.
 */
export const MagnetClickMessage = z
  .object({
    type: z.literal('tseeder:magnet-click'),
    magnet: CreateJobBody.shape.magnet.refine(looksLikeMagnet, {
      message: 'must be a magnet link',
    }),
    isTrusted: z.literal(true),
  })
  .strict()
export type MagnetClickMessage = z.infer<typeof MagnetClickMessage>

/** An extension page (popup, options) asks the background to poll the job list now. */
export const PollMessage = z.object({ type: z.literal('tseeder:poll') }).strict()
export type PollMessage = z.infer<typeof PollMessage>
