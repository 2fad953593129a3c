import { Hono } from 'hono'
import { endpoints } from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { route } from '../lib/route.ts'

export const healthRoutes = new Hono<AppEnv>()

route(healthRoutes, endpoints.health, async () => ({ ok: true as const }))
