import { createExecutionContext, env } from 'cloudflare:test'
import { agentProtocol } from '@tseeder/shared'
import { describe, expect, it, vi } from 'vitest'
import { app } from '../app.ts'
import { AgentCallError, callAgent } from '../agents/client.ts'
import { fillFreeSlots } from '../jobs/dispatch-line.ts'
import { signUp } from '../../test/helpers.ts'
import {
  callsFor,
  doubleUrl,
  magnetFor,
  randomInfohash,
  registerAgent,
} from '../../test/pipeline.ts'

/** The test Worker's env as a production deploy would have it if nobody configured anything. */
const bareProduction = { ...env, ENVIRONMENT: 'production' }

/** A production env with every secret and binding set (the mTLS binding is the plain fetch). */
const configuredProduction = {
  ...env,
  ENVIRONMENT: 'production',
  AGENT_MTLS: { fetch: (request: Request) => fetch(request) } as unknown as Fetcher,
  TURNSTILE_SECRET: 'turnstile-secret',
  AGENT_SIGNING_KEY: 'Zk3vQ9tq1mXw0bR7yL2cN8pH4sJ6dF5gA1eK3uT9iO0=',
  LINK_SIGNING_KEY: 'pQ7rS2tU4vW6xY8zA0bC1dE3fG5hI7jK9lM1nO3pQ5r=',
  STORED_SECRETS_KEY: 'c3RvcmVkLXNlY3JldHMta2V5LWZvci10ZXN0cy1vbmx5=',
}

async function health(workerEnv: Env) {
  const response = await app.request('/api/health', {}, workerEnv, createExecutionContext())
  return { status: response.status, body: await response.json<Record<string, unknown>>() }
}

describe('production fails closed', () => {
  it('answers /api/health with 503 naming each configuration error, without secret values', async () => {
    const { status, body } = await health(bareProduction)
    expect(status).toBe(503)
    const error = body.error as { code: string; issues: { path: string[]; message: string }[] }
    expect(error.code).toBe('misconfigured')
    expect(error.issues.map((i) => i.path[0])).toEqual(
      expect.arrayContaining([
        'agent_mtls_missing',
        'turnstile_secret_missing',
        'agent_signing_key_weak',
        'link_signing_key_weak',
        'stored_secrets_key_weak',
      ]),
    )
    const text = JSON.stringify(body)
    expect(text).not.toContain(env.AGENT_SIGNING_KEY)
    expect(text).not.toContain(env.LINK_SIGNING_KEY)
    expect(text).not.toContain(env.STORED_SECRETS_KEY)
  })

  it('reports a heartbeating agent whose URL is plain http, and is healthy once that is fixed', async () => {
    await registerAgent()
    expect(doubleUrl()).toMatch(/^http:\/\//)
    const { status, body } = await health(configuredProduction)
    expect(status).toBe(503)
    const issues = (body.error as { issues: { path: string[] }[] }).issues
    expect(issues.every((i) => i.path[0] === 'agent_url_insecure')).toBe(true)
    await env.DB.prepare('UPDATE agents SET last_heartbeat_at = 0').run()
    expect(await health(configuredProduction)).toEqual({ status: 200, body: { ok: true } })
  })

  it('stays healthy locally with the same configuration', async () => {
    expect(env.ENVIRONMENT).toBe('local')
    expect(await health(env)).toEqual({ status: 200, body: { ok: true } })
  })

  it('refuses to fill the dispatch line, with a logged reason, and leaves the job in line', async () => {
    await env.DB.prepare('UPDATE agents SET last_heartbeat_at = 0').run()
    await registerAgent()
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    await env.DB.prepare("UPDATE jobs SET status = 'queued' WHERE id = ?").bind(job.id).run()
    const logged = vi.spyOn(console, 'error')
    expect(await fillFreeSlots(bareProduction)).toEqual({
      dispatched: 0,
      noRoom: 0,
      agentErrors: 0,
    })
    const line = logged.mock.calls
      .map(([l]) => String(l))
      .find((l) => l.includes('dispatch_refused'))
    expect(line).toMatch(/agent_mtls_missing/)
    expect(await callsFor(job.id)).toEqual([])
    expect((await user.api.getJob({ params: { id: job.id } })).status).toBe('queued')
  })

  it('refuses an agent call without the mTLS binding before it goes out', async () => {
    const agentId = await registerAgent()
    const jobId = crypto.randomUUID()
    const agent = { id: agentId, url: `${doubleUrl()}/agents/${agentId}/` }
    const call = callAgent(bareProduction, agent, agentProtocol.stop, { jobId, removeData: true })
    await expect(call).rejects.toBeInstanceOf(AgentCallError)
    await expect(call).rejects.toThrow(/AGENT_MTLS/)
    expect(await callsFor(jobId)).toEqual([])
  })
})
