import { z } from 'zod'

/** Identifiers are opaque strings (UUIDs today); clients must not parse them. */
export const Id = z.string().min(1).max(64)

/** Every timestamp on the wire is an ISO 8601 string in UTC. */
export const Timestamp = z.iso.datetime()

/** A BitTorrent v1 info hash, normalised to 40 lower-case hex characters. */
export const Infohash = z
  .string()
  .regex(/^[0-9a-f]{40}$/, 'must be 40 lower-case hexadecimal characters')

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'))

export const IdParams = z.object({ id: Id })

export const Cursor = z.string().max(200)
export const Limit = z.coerce.number().int().min(1).max(100).default(50)
