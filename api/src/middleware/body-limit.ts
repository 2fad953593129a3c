import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from '../env.ts'
import { HttpError } from '../lib/errors.ts'

const MiB = 1024 * 1024

/** The largest body a user route takes: a 5 MiB .torrent in a multipart form, with room. */
export const MAX_BODY_BYTES = 6 * MiB

/**
 * The largest body an agent sends: a metadata or completed callback listing the most files a job
 * may have (100,000) at ~160 bytes each.
 */
export const MAX_AGENT_BODY_BYTES = 16 * MiB

/**
 * Refuses a body over `maxBytes` with 413 `payload_too_large`. A declared `Content-Length` is
 * checked before anything is read; a body without one (chunked) is counted as it arrives and
 * refused as soon as it passes the limit, so no route reads more than `maxBytes`.
 *
 * @example
 * app.post('/share', limitBody(), handler)
 */
export function limitBody(maxBytes = MAX_BODY_BYTES): MiddlewareHandler<AppEnv> {
  if (!(maxBytes > 0)) throw new RangeError('limitBody needs a positive size')
  const message = `The request body is larger than ${maxBytes / MiB} MiB.`
  return bodyLimit({
    maxSize: maxBytes,
    onError() {
      throw new HttpError(413, 'payload_too_large', message)
    },
  })
}
