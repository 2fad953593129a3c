import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { callsFor, doubleUrl, registerAgent } from '../../test/pipeline.ts'
import { pauseJob, resumeJob, startJob, stopJob } from './control.ts'
import { getAgent } from '../db/agents.ts'

async function refuse(agentId: string, on: boolean) {
  await fetch(`${doubleUrl()}/_refuse?agent=${agentId}&on=${on ? 1 : 0}`)
}

describe('agent control', () => {
  it('stops, pauses and resumes a job on its agent with signed calls', async () => {
    const agentId = await registerAgent()
    const jobId = crypto.randomUUID()
    expect(await pauseJob(env, agentId, jobId)).toBe(true)
    expect(await resumeJob(env, agentId, jobId)).toBe(true)
    await stopJob(env, agentId, jobId)
    expect((await callsFor(jobId)).map((c) => [c.path, c.body])).toEqual([
      ['/pause', { jobId }],
      ['/resume', { jobId }],
      ['/stop', { jobId, removeData: true }],
    ])
  })

  it('says a job could not be paused or resumed when its agent refuses or went silent', async () => {
    const agentId = await registerAgent()
    const jobId = crypto.randomUUID()
    await refuse(agentId, true)
    expect(await pauseJob(env, agentId, jobId)).toBe(false)
    await refuse(agentId, false)
    await env.DB.prepare('UPDATE agents SET last_heartbeat_at = 0 WHERE id = ?').bind(agentId).run()
    expect(await resumeJob(env, agentId, jobId)).toBe(false)
    expect(await callsFor(jobId)).toEqual([])
  })

  it('stops at best effort: an unknown or refusing agent is no error', async () => {
    const agentId = await registerAgent()
    await expect(stopJob(env, 'agent-gone', crypto.randomUUID())).resolves.toBeUndefined()
    await refuse(agentId, true)
    await expect(stopJob(env, agentId, crypto.randomUUID())).resolves.toBeUndefined()
    await refuse(agentId, false)
  })

  it('throws when an agent does not take a job it is handed', async () => {
    const agentId = await registerAgent()
    const agent = (await getAgent(env.DB, agentId))!
    await refuse(agentId, true)
    await expect(
      startJob(env, agent, {
        jobId: crypto.randomUUID(),
        attempt: 1,
        infohash: 'a'.repeat(40),
        magnet: `magnet:?xt=urn:btih:${'a'.repeat(40)}`,
        limits: { maxFileBytes: null, remainingStorageBytes: null },
        storage: {
          endpoint: 'http://127.0.0.1:1',
          region: 'auto',
          bucket: 'b',
          prefix: 'content/x/',
          credentials: {
            accessKeyId: 'k',
            secretAccessKey: 's',
            expiresAt: new Date().toISOString(),
          },
        },
      }),
    ).rejects.toThrow(/answered 503/)
    await refuse(agentId, false)
  })
})
