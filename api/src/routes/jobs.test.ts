import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { apiError, signUp } from '../../test/helpers.ts'
import {
  agentSide,
  completed,
  dispatchedJob,
  magnetFor,
  metadata,
  openStream,
  progress,
  randomInfohash,
  registerAgent,
  waitFor,
  waitForStart,
} from '../../test/pipeline.ts'

describe('a job from submission to completion', () => {
  it('goes submit → queue → agent → callbacks → Durable Object → SSE, on both streams', async () => {
    await registerAgent()
    const user = await signUp()
    const feed = openStream(user, '/api/events')
    await feed.ready
    const infohash = randomInfohash()

    const started = Date.now()
    const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
    expect(Date.now() - started).toBeLessThan(2000)
    expect(job).toMatchObject({ status: 'submitted', infohash, name: 'demo', progressPct: 0 })

    const jobStream = openStream(user, `/api/jobs/${job.id}/events`)
    await jobStream.ready

    const { agentId, body: start } = await waitForStart(job.id)
    expect(start.magnet).toBe(
      `magnet:?xt=urn:btih:${infohash}&dn=demo&tr=udp%3A%2F%2F127.0.0.1%3A6969`,
    )
    expect(start.storage.prefix).toBe(`content/${infohash}/`)
    expect(Date.parse(start.storage.credentials.expiresAt) - Date.now()).toBeLessThanOrEqual(
      6 * 3600 * 1000,
    )
    expect(start.limits).toEqual({
      maxFileBytes: 500_000_000,
      remainingStorageBytes: 5_000_000_000,
    })
    await waitFor(
      async () => (await user.api.getJob({ params: { id: job.id } })).status === 'metadata_fetch',
      5000,
      'metadata_fetch',
    )

    const agent = agentSide(job.id, agentId)
    expect((await agent.send(metadata(infohash))).status).toBe(200)
    expect((await agent.send(progress(50))).status).toBe(200)
    expect((await agent.send(completed(infohash))).status).toBe(200)

    const done = await user.api.getJob({ params: { id: job.id } })
    expect(done).toMatchObject({ status: 'completed', progressPct: 100, bytesTotal: 1000 })
    expect(done.completedAt).toBeTruthy()
    expect(done.files.map((f) => [f.path, f.size, f.available, f.mimeType])).toEqual([
      ['demo/a.txt', 600, true, 'text/plain; charset=utf-8'],
      ['demo/b.mp4', 400, true, 'video/mp4'],
    ])
    expect((await user.api.me()).usage).toMatchObject({ storageBytes: 1000, activeJobs: 0 })

    const order = (events: { type: string; status?: string }[]) =>
      events.map((e) => (e.type === 'status' ? `status:${e.status}` : e.type))
    await jobStream.until(
      (e) => e.type === 'status' && e.status === 'completed',
      'completed on the job stream',
    )
    await feed.until(
      (e) => e.type === 'status' && e.status === 'completed',
      'completed on the user stream',
    )
    const expected = [
      'status:metadata_fetch',
      'metadata',
      'status:downloading',
      'progress',
      'status:completed',
    ]
    expect(order(jobStream.events).filter((t) => expected.includes(t))).toEqual(expected)
    expect(order(feed.events.filter((e) => e.jobId === job.id))).toEqual([
      'status:submitted',
      'status:queued',
      ...expected,
    ])
    const seqs = jobStream.events.map((e) => e.seq)
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
    jobStream.close()
    feed.close()
  })

  it('carries the agent’s storage progress to the browser while the job uploads', async () => {
    await registerAgent()
    const user = await signUp()
    const infohash = randomInfohash()
    const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const jobStream = openStream(user, `/api/jobs/${job.id}/events`)
    await jobStream.ready
    const { agentId } = await waitForStart(job.id)
    const agent = agentSide(job.id, agentId)
    await agent.send(metadata(infohash))
    await agent.send({ ...progress(100), phase: 'uploading', bytesUploaded: 600 })

    const event = await jobStream.until(
      (e) => e.type === 'progress' && e.bytesStored === 600,
      'progress with bytesStored',
    )
    expect(event).toMatchObject({ progressPct: 100, bytesDownloaded: 1000 })
    await jobStream.until((e) => e.type === 'status' && e.status === 'uploading', 'uploading')
    jobStream.close()
  })

  it('replays what a subscriber missed after Last-Event-ID', async () => {
    await registerAgent()
    const user = await signUp()
    const infohash = randomInfohash()
    const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const { agentId } = await waitForStart(job.id)
    const agent = agentSide(job.id, agentId)
    await agent.send(metadata(infohash))
    const first = openStream(user, `/api/jobs/${job.id}/events`)
    const seen = await first.until((e) => e.type === 'metadata')
    first.close()
    await agent.send(progress(30))
    await agent.send(progress(60))
    const resumed = openStream(user, `/api/jobs/${job.id}/events`, String(seen.seq))
    await resumed.until((e) => e.type === 'progress' && e.progressPct === 60)
    expect(resumed.events.every((e) => e.seq > seen.seq)).toBe(true)
    expect(
      resumed.events
        .filter((e) => e.type === 'progress')
        .map((e) => (e as { progressPct: number }).progressPct),
    ).toEqual([30, 60])
    resumed.close()
  })

  it('answers 404 on every job and file route for another user\u2019s job', async () => {
    await registerAgent()
    const owner = await signUp()
    const other = await signUp()
    const job = await owner.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const params = { params: { id: job.id } }
    for (const call of [
      () => other.api.getJob(params),
      () => other.api.pauseJob(params),
      () => other.api.resumeJob(params),
      () => other.api.cancelJob(params),
      () => other.api.retryJob(params),
      () => other.api.deleteJob(params),
      () => other.api.listJobFiles(params),
    ]) {
      expect((await apiError(call())).status).toBe(404)
    }
    expect((await other.fetch(`/api/jobs/${job.id}/events`)).status).toBe(404)
    expect((await other.api.listJobs()).jobs).toHaveLength(0)
    const row = await env.DB.prepare('SELECT id FROM job_files LIMIT 1').first<string>('id')
    if (row)
      expect((await apiError(other.api.createFileLink({ params: { id: row } }))).status).toBe(404)
  })
})

describe('reading one job', () => {
  it('answers the progress the agent last reported, not the up to 10 s old copy in the list', async () => {
    const { user, job, agent, infohash, params } = await dispatchedJob()
    await agent.send(metadata(infohash))
    await agent.send(progress(10))
    await agent.send(progress(70))
    expect(await user.api.getJob(params)).toMatchObject({
      status: 'downloading',
      progressPct: 70,
      bytesDownloaded: 700,
      downloadSpeed: 5000,
      peers: 2,
    })
    const listed = (await user.api.listJobs({ query: {} })).jobs.find((j) => j.id === job.id)
    expect(listed?.progressPct).toBeLessThan(70)
  })
})
