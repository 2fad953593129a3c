import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { apiError, browser, signUp, type SignedUp } from '../../test/helpers.ts'
import {
  agentSide,
  callsFor,
  jobRow,
  magnetFor,
  metadata,
  randomInfohash,
  registerAgent,
  uploadChoosing,
  waitFor,
  waitForStart,
} from '../../test/pipeline.ts'

const getJob = (user: SignedUp, id: string) => user.api.getJob({ params: { id } })

describe('choosing files before the download starts', () => {
  it('stops a magnet job at its metadata, frees the agent, then downloads only the chosen files', async () => {
    await registerAgent()
    const user = await signUp()
    const infohash = randomInfohash()
    const job = await user.api.createJob({
      body: { magnet: magnetFor(infohash), chooseFiles: true },
    })
    expect(job.awaitingFiles).toBe(true)

    const { agentId } = await waitForStart(job.id)
    await agentSide(job.id, agentId).send(metadata(infohash))
    const waiting = await waitFor(
      async () => {
        const j = await getJob(user, job.id)
        return j.status === 'paused' ? j : undefined
      },
      5000,
      'paused for a choice',
    )
    expect(waiting.awaitingFiles).toBe(true)
    expect(waiting.files.map((f) => f.path)).toEqual(['demo/a.txt', 'demo/b.mp4'])
    const stop = (await callsFor(job.id)).find((c) => c.path === '/stop')
    expect(stop?.body).toMatchObject({ jobId: job.id, removeData: true })

    const resumed = await user.api.resumeJob({
      params: { id: job.id },
      body: { selectedFiles: [1] },
    })
    expect(resumed).toMatchObject({ status: 'queued', awaitingFiles: false, selectedFiles: [1] })
    expect(resumed.bytesTotal).toBe(400)
    const { body: start } = await waitForStart(job.id, 2)
    expect(start.selectedFiles).toEqual([1])
    const files = (await getJob(user, job.id)).files
    expect(files.map((f) => [f.index, f.selected])).toEqual([
      [0, false],
      [1, true],
    ])
  })

  it('lists the files of content another user’s download knows at once, then rides on it', async () => {
    await registerAgent()
    const alice = await signUp()
    const bob = await signUp()
    const infohash = randomInfohash()
    const theirs = await alice.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const first = await waitForStart(theirs.id)
    await agentSide(theirs.id, first.agentId).send(metadata(infohash))

    // No agent fetches the metadata again: the choice can be made at once.
    const job = await bob.api.createJob({
      body: { magnet: magnetFor(infohash), chooseFiles: true },
    })
    expect(job).toMatchObject({ status: 'paused', awaitingFiles: true, name: 'demo' })
    const listed = await getJob(bob, job.id)
    expect(listed.files.map((f) => [f.index, f.path])).toEqual([
      [0, 'demo/a.txt'],
      [1, 'demo/b.mp4'],
    ])

    const resumed = await bob.api.resumeJob({
      params: { id: job.id },
      body: { selectedFiles: [1] },
    })
    expect(resumed).toMatchObject({ status: 'downloading', selectedFiles: [1], bytesTotal: 400 })
    expect(await jobRow(job.id)).toMatchObject({ follows_job_id: theirs.id })
    expect((await getJob(bob, job.id)).files.map((f) => [f.index, f.selected])).toEqual([
      [0, false],
      [1, true],
    ])
    await new Promise((r) => setTimeout(r, 300))
    expect(await callsFor(job.id)).toEqual([])
  })

  it('keeps a .torrent job paused with its files at once, undispatched until the choice', async () => {
    await registerAgent()
    const user = await signUp()
    const job = await uploadChoosing(user, [
      { path: 'one.bin', length: 100 },
      { path: 'two.bin', length: 200 },
    ])
    expect(job).toMatchObject({ status: 'paused', awaitingFiles: true })
    expect((await getJob(user, job.id)).files).toHaveLength(2)
    // A job submitted after it reaches an agent: the dispatcher has moved past this one.
    const later = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    await waitForStart(later.id)
    expect(await callsFor(job.id)).toEqual([])

    const outside = await apiError(
      user.api.resumeJob({ params: { id: job.id }, body: { selectedFiles: [5] } }),
    )
    expect(outside).toMatchObject({ status: 400, code: 'validation_failed' })
    expect(outside.message).toContain('file 5')
    expect((await getJob(user, job.id)).awaitingFiles).toBe(true)

    await user.api.resumeJob({ params: { id: job.id }, body: { selectedFiles: [0] } })
    const { body: start } = await waitForStart(job.id)
    expect(start.selectedFiles).toEqual([0])
    expect((await getJob(user, job.id)).bytesTotal).toBe(100)
  })

  it('checks a choice against the torrent’s own indexes, which may have gaps (padding files)', async () => {
    await registerAgent()
    const user = await signUp()
    const infohash = randomInfohash()
    const job = await user.api.createJob({
      body: { magnet: magnetFor(infohash), chooseFiles: true },
    })
    const { agentId } = await waitForStart(job.id)
    const padded = [
      { index: 0, path: 'demo/a.txt', size: 600 },
      { index: 2, path: 'demo/b.mp4', size: 400 },
    ]
    await agentSide(job.id, agentId).send(metadata(infohash, padded))
    await waitFor(
      async () => ((await getJob(user, job.id)).status === 'paused' ? true : undefined),
      5000,
      'paused for a choice',
    )
    const gap = await apiError(
      user.api.resumeJob({ params: { id: job.id }, body: { selectedFiles: [1] } }),
    )
    expect(gap).toMatchObject({ status: 400, code: 'validation_failed' })
    expect(gap.message).toContain('file 1, which is not one of the torrent’s 2 files')
    const resumed = await user.api.resumeJob({
      params: { id: job.id },
      body: { selectedFiles: [2] },
    })
    expect(resumed).toMatchObject({ status: 'queued', selectedFiles: [2], bytesTotal: 400 })
    const { body: start } = await waitForStart(job.id, 2)
    expect(start.selectedFiles).toEqual([2])
  })

  it('refuses a choice of files for a job that is not waiting for one', async () => {
    await registerAgent()
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    await user.api.pauseJob({ params: { id: job.id } })
    const error = await apiError(
      user.api.resumeJob({ params: { id: job.id }, body: { selectedFiles: [0] } }),
    )
    expect(error).toMatchObject({ status: 409, code: 'conflict' })
    expect((await user.api.resumeJob({ params: { id: job.id } })).status).toBe('queued')
  })

  it('refuses a choice over the plan with 422 naming the limit', async () => {
    await registerAgent()
    const user = await signUp()
    const job = await uploadChoosing(user, [
      { path: 'huge.bin', length: 600_000_000 },
      { path: 'small.bin', length: 1000 },
    ])
    const error = await apiError(
      user.api.resumeJob({ params: { id: job.id }, body: { selectedFiles: [0] } }),
    )
    expect(error).toMatchObject({ status: 422, code: 'quota_exceeded', limit: 'max_file_size' })
    const resumed = await user.api.resumeJob({
      params: { id: job.id },
      body: { selectedFiles: [1] },
    })
    expect(resumed).toMatchObject({ status: 'queued', bytesTotal: 1000 })
  })
})

describe('a job history', () => {
  it('lists status, metadata and error events with their times, oldest first', async () => {
    await registerAgent()
    const user = await signUp()
    const infohash = randomInfohash()
    const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const { agentId } = await waitForStart(job.id)
    const agent = agentSide(job.id, agentId)
    await agent.send(metadata(infohash))
    await agent.send({ type: 'failed', code: 'no_peers', message: 'No peers.', retryable: false })
    const { events } = await user.api.jobHistory({ params: { id: job.id } })
    expect(events.map((e) => (e.type === 'status' ? e.status : e.type))).toEqual([
      'submitted',
      'queued',
      'metadata_fetch',
      'metadata',
      'downloading',
      'failed',
    ])
    for (const event of events) expect(Date.parse(event.at!)).toBeGreaterThan(Date.now() - 60_000)
    const other = await signUp()
    expect(await apiError(other.api.jobHistory({ params: { id: job.id } }))).toMatchObject({
      status: 404,
    })
  })
})

describe('GET /api/config', () => {
  it('answers without sign-in with the Turnstile site key or null', async () => {
    expect(await browser().api.config()).toEqual({
      turnstileSiteKey: env.TURNSTILE_SITE_KEY || null,
    })
  })
})
