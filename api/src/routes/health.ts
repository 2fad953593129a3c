import { Hono } from 'hono'
import { endpoints } from '@tseeder/shared'
import { isAgentHealthy } from '../agents/registry.ts'
import { listAgents } from '../db/agents.ts'
import type { AppEnv } from '../env.ts'
import { configProblems, isProduction } from '../lib/config.ts'
import { HttpError } from '../lib/errors.ts'
import { log } from '../lib/log.ts'
import { route } from '../lib/route.ts'

export const healthRoutes = new Hono<AppEnv>()

// In production a misconfigured Worker is not healthy: a 503 whose issues name each problem
// (codes and what to do, never a secret's value), so uptime checks page someone. Only agents
// heartbeating now count: a retired agent's old row does not keep the Worker unhealthy.
route(healthRoutes, endpoints.health, async (c) => {
  if (!isProduction(c.env)) return { ok: true as const }
  const now = Date.now()
  const agents = (await listAgents(c.env.DB)).filter((a) => isAgentHealthy(a, now))
  const problems = configProblems(c.env, agents)
  if (!problems.length) return { ok: true as const }
  log.error('config_problems', { problems: problems.map((p) => p.code) })
  throw new HttpError(
    503,
    'misconfigured',
    `This Worker's production configuration has ${problems.length} error(s): ${problems.map((p) => p.code).join(', ')}.`,
    { issues: problems.map((p) => ({ path: [p.code], message: p.message })) },
  )
})
