import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { deriveAgentSecret, signedHeaders } from '@tseeder/shared'
import { BASE_URL } from '../../test/helpers.ts'
import { fillLine } from '../queue/dispatch-queue.ts'
import {
  agentRequest,
  agentSide,
  completed,
  dispatchedJob,
  metadata,
  progress,
  registerAgent,
  SIGNING_KEY,
} from '../../test/pipeline.ts'

/** mulberry32: a small seeded generator, so a failing shuffle can be replayed from its seed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('agent signatures', () => {
  it('refuses a forged signature, a stale timestamp and a body changed after signing', async () => {
    const { job, agentId } = await dispatchedJob()
    const body = { jobId: job.id, seq: 1, ...progress(10) }
    const forged = await agentRequest(agentId, '/internal/jobs/callback', body, {
      secret: 'not-the-secret',
    })
    expect(forged.status).toBe(401)
    const stale = await agentRequest(agentId, '/internal/jobs/callback', body, {
      timestamp: Date.now() - 6 * 60_000,
    })
    expect(stale.status).toBe(401)
    expect(await stale.json()).toMatchObject({ error: { code: 'invalid_signature' } })

    const text = JSON.stringify(body)
    const headers = await signedHeaders(agentId, 'whatever', {
      direction: 'agent-to-api',
      method: 'POST',
      path: '/internal/jobs/callback',
      body: text,
    })
    const unsigned = await SELF.fetch(`${BASE_URL}/internal/jobs/callback`, {
      method: 'POST',
      body: text,
    })
    expect(unsigned.status).toBe(401)
    const tampered = await SELF.fetch(`${BASE_URL}/internal/jobs/callback`, {
      method: 'POST',
      headers,
      body: text.replace('"seq":1', '"seq":2'),
    })
    expect(tampered.status).toBe(401)
  })

  it('refuses a replayed callback and a callback from an agent the job is not assigned to', async () => {
    const { job, agent, infohash } = await dispatchedJob()
    expect((await agent.send(metadata(infohash), 1)).status).toBe(200)
    const replay = await agent.send(metadata(infohash), 1)
    expect(replay.status).toBe(409)
    expect(await replay.json()).toMatchObject({ error: { code: 'duplicate_event' } })
    const intruder = await registerAgent()
    const foreign = await agentSide(job.id, intruder).send(progress(99), 50)
    expect(foreign.status).toBe(409)
    expect(await foreign.json()).toMatchObject({ error: { code: 'not_assigned' } })
  })

  it('refuses a replayed heartbeat and a heartbeat for another agent', async () => {
    const id = await registerAgent()
    const beat = {
      agentId: id,
      url: 'http://127.0.0.1:1/',
      capacity: 1,
      activeJobs: 0,
      freeDiskBytes: 1,
      version: 'x',
    }
    const at = Date.now()
    expect(
      (await agentRequest(id, '/internal/agents/heartbeat', beat, { timestamp: at })).status,
    ).toBe(200)
    expect(
      (await agentRequest(id, '/internal/agents/heartbeat', beat, { timestamp: at })).status,
    ).toBe(409)
    expect(
      (await agentRequest(id, '/internal/agents/heartbeat', { ...beat, agentId: 'someone-else' }))
        .status,
    ).toBe(403)
  })

  it('refuses a captured agent /pause request replayed to /internal/jobs/credentials', async () => {
    const { job, agentId } = await dispatchedJob()
    const text = JSON.stringify({ jobId: job.id })
    const secret = await deriveAgentSecret(SIGNING_KEY, agentId)
    // What the API sent to the agent's /pause, signed with the same agent secret.
    const captured = await signedHeaders('api', secret, {
      direction: 'api-to-agent',
      method: 'POST',
      path: '/pause',
      body: text,
    })
    const replayed = await SELF.fetch(`${BASE_URL}/internal/jobs/credentials`, {
      method: 'POST',
      headers: { ...captured, 'x-tseeder-agent': agentId, 'content-type': 'application/json' },
      body: text,
    })
    expect(replayed.status).toBe(401)
    expect(await replayed.json()).toMatchObject({ error: { code: 'invalid_signature' } })
  })

  it('refuses a request signed for another route, and one signed with the api-to-agent key', async () => {
    const { job, agentId } = await dispatchedJob()
    const heartbeatSigned = await signedHeaders(
      agentId,
      await deriveAgentSecret(SIGNING_KEY, agentId),
      {
        direction: 'agent-to-api',
        method: 'POST',
        path: '/internal/agents/heartbeat',
        body: JSON.stringify({ jobId: job.id }),
      },
    )
    const moved = await SELF.fetch(`${BASE_URL}/internal/jobs/credentials`, {
      method: 'POST',
      headers: { ...heartbeatSigned, 'content-type': 'application/json' },
      body: JSON.stringify({ jobId: job.id }),
    })
    expect(moved.status).toBe(401)
    const otherKey = await agentRequest(
      agentId,
      '/internal/jobs/credentials',
      { jobId: job.id },
      { direction: 'api-to-agent' },
    )
    expect(otherKey.status).toBe(401)
    expect(await otherKey.json()).toMatchObject({ error: { code: 'invalid_signature' } })
  })

  it('refuses an identical signed request sent again (same nonce)', async () => {
    const { job, agentId } = await dispatchedJob()
    const once = { timestamp: Date.now(), nonce: 'ab'.repeat(16) }
    const path = '/internal/jobs/credentials'
    expect((await agentRequest(agentId, path, { jobId: job.id }, once)).status).toBe(200)
    const again = await agentRequest(agentId, path, { jobId: job.id }, once)
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ error: { code: 'replayed' } })
    // The nonce is the agent's own: another agent may draw the same one.
    const other = await registerAgent()
    const heartbeat = await agentRequest(
      other,
      '/internal/agents/heartbeat',
      {
        agentId: other,
        url: 'http://127.0.0.1:1/',
        capacity: 1,
        activeJobs: 0,
        freeDiskBytes: 1,
        version: 'x',
      },
      { nonce: once.nonce },
    )
    expect(heartbeat.status).toBe(200)
  })

  it('answers 400 naming the field for a malformed callback', async () => {
    const { job, agentId } = await dispatchedJob()
    const response = await agentRequest(agentId, '/internal/jobs/callback', {
      jobId: job.id,
      seq: 1,
      type: 'progress_update',
      progressPct: 500,
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: 'validation_failed' } })
  })

  it("refuses a wait an agent cannot report (the line is the API's), naming it", async () => {
    const { job, agentId } = await dispatchedJob()
    const since = new Date().toISOString()
    const reportWaiting = (seq: number, reason: string) =>
      agentRequest(agentId, '/internal/jobs/callback', {
        jobId: job.id,
        attempt: 1,
        seq,
        ...progress(10),
        waiting: { reason, since, until: null },
      })
    const response = await reportWaiting(1, 'in_line')
    expect(response.status).toBe(400)
    const { error } = (await response.json()) as { error: { code: string; message: string } }
    expect(error.code).toBe('validation_failed')
    expect(error.message).toContain('waiting.reason')
    expect((await reportWaiting(2, 'peers')).status).toBe(200)
  })
})

describe('agent callbacks', () => {
  it('store hostile file names from metadata as clean relative paths', async () => {
    const { user, job, agent, infohash } = await dispatchedJob()
    await agent.send(
      metadata(infohash, [
        { index: 0, path: '../../etc/passwd', size: 1 },
        { index: 1, path: '/abs/evil.sh', size: 1 },
        { index: 2, path: 'a\\..\\..\\b.txt', size: 1 },
      ]),
    )
    const { files } = await user.api.listJobFiles({ params: { id: job.id } })
    for (const f of files) {
      expect(f.path.startsWith('/')).toBe(false)
      expect(f.path.split('/')).not.toContain('..')
    }
    expect(files.map((f) => f.path)).toEqual(['etc/passwd', 'abs/evil.sh', 'a_.._.._b.txt'])
  })

  it('end in the same state whatever order duplicates and stale events arrive in', async () => {
    const seed = Number(env.TEST_SEED)
    console.log(`shuffle seed ${seed} (replay with TEST_SEED=${seed})`)
    const random = seededRandom(seed)
    const finals: unknown[] = []
    for (let run = 0; run < 6; run++) {
      const { user, job, agent, infohash } = await dispatchedJob()
      const events = [
        { seq: 1, body: metadata(infohash) },
        { seq: 2, body: progress(20) },
        { seq: 3, body: progress(70) },
        { seq: 4, body: completed(infohash) },
      ]
      const shuffled = [...events, ...events].sort(() => random() - 0.5)
      for (const e of shuffled) await agent.send(e.body, e.seq)
      const final = await user.api.getJob({ params: { id: job.id } })
      finals.push({
        status: final.status,
        progressPct: final.progressPct,
        bytesTotal: final.bytesTotal,
        files: final.files.map((f) => [f.index, f.path, f.size, f.available]),
      })
    }
    for (const final of finals) expect(final, `shuffle seed ${seed}`).toEqual(finals[0])
    expect(finals[0]).toMatchObject({ status: 'completed', progressPct: 100, bytesTotal: 1000 })
  })

  it('never move a completed job backwards', async () => {
    const { user, job, agent, infohash } = await dispatchedJob()
    await agent.send(completed(infohash))
    expect((await agent.send(progress(10))).status).toBe(200)
    expect(
      (await agent.send({ type: 'failed', code: 'x', message: 'late', retryable: false })).status,
    ).toBe(200)
    expect((await user.api.getJob({ params: { id: job.id } })).status).toBe('completed')
  })

  it('renew the storage grant for the assigned agent only', async () => {
    const { job, agentId, infohash } = await dispatchedJob()
    const renewed = await agentRequest(agentId, '/internal/jobs/credentials', { jobId: job.id })
    expect(renewed.status).toBe(200)
    expect(await renewed.json()).toMatchObject({
      prefix: `content/${infohash}/`,
      bucket: 'tseeder',
    })
    const other = await registerAgent()
    expect(
      (await agentRequest(other, '/internal/jobs/credentials', { jobId: job.id })).status,
    ).toBe(403)
  })

  it('fail a job for good on a non-retryable failure and re-queue it on a retryable one', async () => {
    const first = await dispatchedJob()
    await first.agent.send({
      type: 'failed',
      code: 'no_peers',
      message: 'No peers found.',
      retryable: false,
    })
    const failed = await first.user.api.getJob({ params: { id: first.job.id } })
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'no_peers', message: 'No peers found.' },
    })

    const second = await dispatchedJob()
    await second.agent.send({
      type: 'failed',
      code: 'disk_full',
      message: 'Agent disk full.',
      retryable: true,
    })
    const failedAt = Date.now()
    // The agent is free again, but the job waits out its retry delay (its failure freed the slot,
    // and the line was filled only once that delay was written).
    await fillLine(env)
    const row = await env.DB.prepare(
      'SELECT status, error_code, attempt, not_before FROM jobs WHERE id = ?',
    )
      .bind(second.job.id)
      .first<{ not_before: number }>()
    expect(row).toMatchObject({ status: 'queued', error_code: 'disk_full', attempt: 1 })
    expect(row!.not_before).toBeGreaterThanOrEqual(failedAt + 10_000)
  })
})
