import { Hono } from 'hono'
import { findMagnetInText } from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { limitBody } from '../middleware/body-limit.ts'

export const shareRoutes = new Hono<AppEnv>()

/**
 * The PWA's share target (`POST /share`) is served by its service worker. This answers only when
 * no service worker is installed yet (the first share from a freshly installed app): a shared
 * magnet is carried over to the add page in its URL; a shared file cannot be, so the add page
 * asks for it again.
 */
shareRoutes.post('/share', limitBody(), async (c) => {
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
  const text = ['url', 'text', 'title']
    .map((field) => form[field])
    .filter((value): value is string => typeof value === 'string')
  const magnet = text.map((value) => findMagnetInText(value)).find(Boolean)
  return c.redirect(magnet ? `/add?magnet=${encodeURIComponent(magnet)}` : '/add?shared=1', 303)
})
