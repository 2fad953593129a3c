import bencode from 'bencode'
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { apiError, signUp, type SignedUp } from '../../test/helpers.ts'
import {
  agentSide,
  callsFor,
  completed,
  followedDownload,
  jobRow,
  magnetFor,
  metadata,
  openStream,
  progress,
  randomInfohash,
  registerAgent,
  waitFor,
  waitForStart,
} from '../../test/pipeline.ts'

const enc = new TextEncoder()

function torrentFile(
  files: { path: string; length: number }[],
  name = `t-${crypto.randomUUID().slice(0, 6)}`,
): Blob {
  const bytes = bencode.encode({
    announce: enc.encode('udp://127.0.0.1:6969'),
    info: {
      name: enc.encode(name),
      'piece length': 16384,
      pieces: new Uint8Array(20),
      files: files.map((f) => ({
        length: f.length,
        path: f.path.split('/').map((p) => enc.encode(p)),
      })),
    },
  })
  return new Blob([bytes], { type: 'application/x-bittorrent' })
}

function upload(user: SignedUp, torrent: Blob, selectedFiles?: string) {
  const form = new FormData()
  form.set('torrent', torrent, 'x.torrent')
  if (selectedFiles !== undefined) form.set('selectedFiles', selectedFiles)
  return user.api.createJob({ body: form })
}

/** A job of `user` taken to completion by an agent. */
async function completedJob(
  user: SignedUp,
  infohash = randomInfohash(),
  files?: Parameters<typeof metadata>[1],
) {
  await registerAgent()
  const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
  const { agentId } = await waitForStart(job.id)
  const agent = agentSide(job.id, agentId)
  await agent.send(metadata(infohash, files))
  await agent.send(completed(infohash, files))
  return { job, infohash }
}

describe('POST /api/jobs input', () => {
  it('refuses links that are not BitTorrent magnets with a clear 400', async () => {
    const user = await signUp()
    for (const magnet of ['http://example.com/x.torrent', 'magnet:?xt=urn:btih:abc', 'nonsense']) {
      const error = await apiError(user.api.createJob({ body: { magnet } }))
      expect(error.status).toBe(400)
      expect(error.code).toBe('invalid_magnet')
    }
  })

  it('refuses a file that is not a torrent, and selected files that do not exist', async () => {
    const user = await signUp()
    const bad = await apiError(upload(user, new Blob(['<html>'])))
    expect(bad).toMatchObject({ status: 400, code: 'invalid_torrent' })
    const outside = await apiError(upload(user, torrentFile([{ path: 'a', length: 1 }]), '[0,3]'))
    expect(outside.status).toBe(400)
    expect(outside.message).toMatch(/file 3.*1 files/)
  })

  it('refuses a .torrent larger than 5 MB with 413, in the units the web app shows', async () => {
    const user = await signUp()
    const error = await apiError(upload(user, new Blob([new Uint8Array(5 * 1024 * 1024 + 1)])))
    expect(error.status).toBe(413)
    expect(error.message).toMatch(/is 5\.24 MB; tseeder accepts \.torrent files of up to 5 MB\./)
  })

  it('refuses a .torrent of more than 10,000 files with a clear 400 invalid_torrent', async () => {
    const user = await signUp()
    const files = Array.from({ length: 10_001 }, (_, i) => ({ path: `f${i}`, length: 1 }))
    const error = await apiError(upload(user, torrentFile(files)))
    expect(error).toMatchObject({ status: 400, code: 'invalid_torrent' })
    expect(error.message).toMatch(/10,001 files.*up to 10,000 files/)
    const { jobs } = await user.api.listJobs({ query: {} })
    expect(jobs).toEqual([])
  })

  it('fails a magnet job whose metadata lists more than 10,000 files, without recording them', async () => {
    await registerAgent()
    const user = await signUp()
    const infohash = randomInfohash()
    const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const { agentId } = await waitForStart(job.id)
    const files = Array.from({ length: 10_001 }, (_, i) => ({ index: i, path: `x/f${i}`, size: 1 }))
    const response = await agentSide(job.id, agentId).send(metadata(infohash, files))
    expect(response.status).toBe(200)
    const failed = await user.api.getJob({ params: { id: job.id } })
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'invalid_torrent' } })
    expect(failed.error!.message).toMatch(/10,001 files.*up to 10,000 files/)
    expect(failed.files).toEqual([])
    await waitFor(
      async () => (await callsFor(job.id)).some((c) => c.path === '/stop'),
      5000,
      '/stop',
    )
  })

  it('needs the AUP accepted', async () => {
    const fresh = await signUp({ acceptAup: false })
    expect(
      (await apiError(fresh.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } }))).code,
    ).toBe('aup_required')
  })

  it('accepts a .torrent upload with selected files and lists its clean file names at once', async () => {
    await registerAgent()
    const user = await signUp()
    const job = await upload(
      user,
      torrentFile([
        { path: '../evil.sh', length: 10 },
        { path: 'ok/b.txt', length: 20 },
      ]),
      '1',
    )
    expect(job).toMatchObject({ status: 'submitted', selectedFiles: [1], bytesTotal: 20 })
    const { files } = await user.api.listJobFiles({ params: { id: job.id } })
    expect(files.map((f) => [f.path.split('/').slice(1).join('/'), f.selected])).toEqual([
      ['evil.sh', false],
      ['ok/b.txt', true],
    ])
    const { body } = await waitForStart(job.id)
    expect(body.torrentBase64).toBeTruthy()
    expect(body.magnet).toBeUndefined()
    expect(body.selectedFiles).toEqual([1])
  })
})

describe('blocklist', () => {
  it('refuses a blocked info hash at submission with 403 blocked and the reason', async () => {
    const user = await signUp()
    const infohash = randomInfohash()
    await env.DB.prepare('INSERT INTO blocklist (infohash, reason, created_at) VALUES (?, ?, ?)')
      .bind(infohash, 'DMCA notice 42', Date.now())
      .run()
    const error = await apiError(user.api.createJob({ body: { magnet: magnetFor(infohash) } }))
    expect(error).toMatchObject({ status: 403, code: 'blocked' })
    expect(error.message).toMatch(/DMCA notice 42/)
  })

  it('fails a running job when its content is blocked by the time metadata arrives', async () => {
    await registerAgent()
    const user = await signUp()
    const infohash = randomInfohash()
    const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const { agentId } = await waitForStart(job.id)
    await env.DB.prepare('INSERT INTO blocklist (infohash, reason, created_at) VALUES (?, ?, ?)')
      .bind(infohash, 'malware', Date.now())
      .run()
    await agentSide(job.id, agentId).send(metadata(infohash))
    expect(await user.api.getJob({ params: { id: job.id } })).toMatchObject({
      status: 'failed',
      error: { code: 'blocked' },
    })
    await waitFor(
      async () => (await callsFor(job.id)).some((c) => c.path === '/stop'),
      5000,
      '/stop',
    )
  })
})

describe('quotas', () => {
  it('lets the Free plan hold two transfers and ten waiting jobs, and names both limits on the thirteenth', async () => {
    await registerAgent()
    const user = await signUp()
    for (let i = 0; i < 12; i++)
      await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const error = await apiError(
      user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } }),
    )
    expect(error).toMatchObject({ status: 422, code: 'quota_exceeded', limit: 'active_jobs' })
    expect(error.message).toMatch(/runs 2 jobs at a time and keeps up to 10 more waiting/)
  })

  it('refuses a .torrent with a file over the plan\u2019s maximum file size', async () => {
    const user = await signUp()
    const error = await apiError(
      upload(user, torrentFile([{ path: 'big.mkv', length: 600_000_000 }])),
    )
    expect(error).toMatchObject({ status: 422, code: 'quota_exceeded', limit: 'max_file_size' })
    expect(error.message).toMatch(/600 MB.*500 MB/)
  })

  it('refuses a .torrent larger than the storage left', async () => {
    const user = await signUp()
    const files = Array.from({ length: 11 }, (_, i) => ({
      path: `part${i}.bin`,
      length: 499_000_000,
    }))
    const error = await apiError(upload(user, torrentFile(files)))
    expect(error).toMatchObject({ status: 422, limit: 'storage' })
    const fits = await upload(user, torrentFile([{ path: 'a.bin', length: 499_000_000 }]), '0')
    expect(fits.status).toBe('submitted')
  })

  it('stops a magnet job whose metadata turns out over quota, naming the limit', async () => {
    await registerAgent()
    const user = await signUp()
    const infohash = randomInfohash()
    const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const { agentId } = await waitForStart(job.id)
    await agentSide(job.id, agentId).send(
      metadata(infohash, [{ index: 0, path: 'huge.iso', size: 2_000_000_000 }]),
    )
    const failed = await user.api.getJob({ params: { id: job.id } })
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'quota_exceeded' } })
    expect(failed.error!.message).toMatch(/huge\.iso.*2 GB.*500 MB/)
    await waitFor(
      async () => (await callsFor(job.id)).some((c) => c.path === '/stop'),
      5000,
      '/stop',
    )
  })
})

describe('dedup', () => {
  it('answers 200 with the same job when a user submits the same content again', async () => {
    await registerAgent()
    const user = await signUp()
    const infohash = randomInfohash()
    const first = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const response = await user.fetch('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': user.api.csrfToken! },
      body: JSON.stringify({ magnet: magnetFor(infohash, 'other-name') }),
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ id: first.id })
  })

  it('completes a second user\u2019s job at once from stored content and counts their storage', async () => {
    const alice = await signUp()
    const { infohash } = await completedJob(alice)
    const bob = await signUp()
    const job = await bob.api.createJob({ body: { magnet: magnetFor(infohash) } })
    expect(job.status).toBe('completed')
    const { files } = await bob.api.listJobFiles({ params: { id: job.id } })
    expect(files.every((f) => f.available)).toBe(true)
    expect((await bob.api.me()).usage.storageBytes).toBe(1000)
    expect(await callsFor(job.id)).toHaveLength(0)
  })

  it('completes at once from stored content whose file indexes have gaps (padding files)', async () => {
    const padded = [
      { index: 0, path: 'demo/a.txt', size: 600 },
      { index: 2, path: 'demo/b.mp4', size: 400 },
    ]
    const { infohash } = await completedJob(await signUp(), randomInfohash(), padded)
    const bob = await signUp()
    const job = await bob.api.createJob({ body: { magnet: magnetFor(infohash) } })
    expect(job.status).toBe('completed')
    const { files } = await bob.api.listJobFiles({ params: { id: job.id } })
    expect(files.map((f) => [f.index, f.size, f.available])).toEqual([
      [0, 600, true],
      [2, 400, true],
    ])
    expect(await callsFor(job.id)).toHaveLength(0)
  })

  it('names a job from a magnet without a display name after the stored content', async () => {
    const alice = await signUp()
    const { infohash } = await completedJob(alice)
    const bob = await signUp()
    const job = await bob.api.createJob({ body: { magnet: `magnet:?xt=urn:btih:${infohash}` } })
    expect(job).toMatchObject({ status: 'completed', name: 'demo' })
  })

  it('lets a second user follow a download in flight instead of downloading twice', async () => {
    await registerAgent()
    const alice = await signUp()
    const bob = await signUp()
    const infohash = randomInfohash()
    const leader = await alice.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const { agentId } = await waitForStart(leader.id)
    const agent = agentSide(leader.id, agentId)
    await agent.send(metadata(infohash))
    await agent.send(progress(10))

    const follower = await bob.api.createJob({ body: { magnet: magnetFor(infohash) } })
    expect(follower).toMatchObject({ status: 'downloading', bytesTotal: 1000 })
    const stream = openStream(bob, `/api/jobs/${follower.id}/events`)
    await stream.ready
    await agent.send(progress(60))
    await stream.until((e) => e.type === 'progress' && e.progressPct === 60, 'mirrored progress')
    await agent.send(completed(infohash))
    await stream.until(
      (e) => e.type === 'status' && e.status === 'completed',
      'mirrored completion',
    )
    const done = await bob.api.getJob({ params: { id: follower.id } })
    expect(done.files.every((f) => f.available)).toBe(true)
    expect(await callsFor(follower.id)).toHaveLength(0)
    stream.close()
  })

  it('hands the download to a follower when the leader cancels', async () => {
    const { alice, infohash, leader, follower } = await followedDownload()
    await alice.api.cancelJob({ params: { id: leader.id } })
    const start = await waitForStart(follower.id)
    expect(start.body.infohash).toBe(infohash)
  })

  it('hands the download to a follower when the leader pauses', async () => {
    const { alice, bob, infohash, leader, follower } = await followedDownload()
    await alice.api.pauseJob({ params: { id: leader.id } })
    const start = await waitForStart(follower.id)
    expect(start.body.infohash).toBe(infohash)
    await waitFor(
      async () =>
        (await bob.api.getJob({ params: { id: follower.id } })).status === 'metadata_fetch',
      5000,
      'the follower downloading on its own',
    )
    expect(await alice.api.getJob({ params: { id: leader.id } })).toMatchObject({
      status: 'paused',
    })
  })
  /** A leader paused at 10 %, whose follower took the download over and started it afresh. */
  async function handedOver() {
    const handed = await followedDownload()
    await handed.agent.send(metadata(handed.infohash))
    await handed.agent.send(progress(10))
    await handed.alice.api.pauseJob({ params: { id: handed.leader.id } })
    const { agentId } = await waitForStart(handed.follower.id)
    return { ...handed, heir: agentSide(handed.follower.id, agentId), heirAgent: agentId }
  }
  const paths = async (jobId: string) => (await callsFor(jobId)).map((c) => c.path)

  it('takes the download back when the paused leader resumes further along than its heir', async () => {
    const { alice, bob, leader, follower, agent, heirAgent, infohash } = await handedOver()
    // A third user's job joined the heir's download: it comes along.
    const carol = await signUp()
    const third = await carol.api.createJob({ body: { magnet: magnetFor(infohash) } })
    expect(await jobRow(third.id)).toMatchObject({ follows_job_id: follower.id })
    await alice.api.resumeJob({ params: { id: leader.id } })
    // The leader's own copy goes on; the heir's, started afresh, is stopped and removed.
    expect(await paths(leader.id)).toContain('/resume')
    await waitFor(async () => (await paths(follower.id)).includes('/stop'), 5000, 'heir stopped')
    const stop = (await callsFor(follower.id)).find((c) => c.path === '/stop')!
    expect(stop.agentId).toBe(heirAgent)
    expect(await jobRow(follower.id)).toMatchObject({ follows_job_id: leader.id, agent_id: null })
    expect(await jobRow(leader.id)).toMatchObject({ follows_job_id: null, status: 'downloading' })
    // The follower rides on the leader again: one download, mirrored.
    await agent.send(progress(60))
    await waitFor(
      async () => (await bob.api.getJob({ params: { id: follower.id } })).progressPct === 60,
      5000,
      'mirrored progress',
    )
    expect(await jobRow(third.id)).toMatchObject({ follows_job_id: leader.id })
    await waitFor(
      async () => (await carol.api.getJob({ params: { id: third.id } })).progressPct === 60,
      5000,
      'progress mirrored to the third user',
    )
  })

  it('rides a resumed leader on its heir when the heir got further, dropping its own copy', async () => {
    const { alice, infohash, leader, follower, heir } = await handedOver()
    await heir.send(metadata(infohash))
    await heir.send(progress(80))
    await alice.api.resumeJob({ params: { id: leader.id } })
    const calls = await paths(leader.id)
    expect(calls).toContain('/stop')
    expect(calls).not.toContain('/resume')
    expect(await jobRow(leader.id)).toMatchObject({
      follows_job_id: follower.id,
      agent_id: null,
      status: 'downloading',
      progress_pct: 80,
    })
    await heir.send(progress(90))
    await waitFor(
      async () => (await alice.api.getJob({ params: { id: leader.id } })).progressPct === 90,
      5000,
      'progress mirrored from the heir',
    )
  })

  it('rides a retried job on another user’s download in flight instead of starting it again', async () => {
    await registerAgent()
    const alice = await signUp()
    const bob = await signUp()
    const infohash = randomInfohash()
    const failed = await alice.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const first = await waitForStart(failed.id)
    await agentSide(failed.id, first.agentId).send({
      type: 'failed',
      code: 'no_peers',
      message: 'No peers.',
      retryable: false,
    })
    const other = await bob.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const { agentId } = await waitForStart(other.id)
    await agentSide(other.id, agentId).send(metadata(infohash))
    await agentSide(other.id, agentId).send(progress(30), 2)

    await alice.api.retryJob({ params: { id: failed.id } })
    const riding = await alice.api.getJob({ params: { id: failed.id } })
    expect(riding).toMatchObject({ status: 'downloading', progressPct: 30, bytesTotal: 1000 })
    expect(riding.error).toBeUndefined()
    expect(await jobRow(failed.id)).toMatchObject({ follows_job_id: other.id })
    expect((await alice.api.listJobFiles({ params: { id: failed.id } })).files).toHaveLength(2)
    await new Promise((r) => setTimeout(r, 300))
    expect((await paths(failed.id)).filter((p) => p === '/start')).toHaveLength(1)
  })
})
