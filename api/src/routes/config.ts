import { Hono } from 'hono'
import { endpoints } from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { route } from '../lib/route.ts'

export const configRoutes = new Hono<AppEnv>()

/** What the web app needs before sign-in; everything here is public by nature. */
route(configRoutes, endpoints.config, async (c) => ({
  turnstileSiteKey: c.env.TURNSTILE_SITE_KEY || null,
}))
