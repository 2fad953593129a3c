// The whole system as `npm start` runs it (Worker under wrangler dev, s3rver, two supervised
// agents), a real swarm on 127.0.0.1, and people and scripts using it through the typed client.
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import type { JobStatus, JobWithFiles } from '@tseeder/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestStack, startTestStack } from '@tseeder/testkit/test-stack'
import { type Session, signIn, signUp, watchEvents } from '@tseeder/testkit/session'
import { buildTorrent, content, sha256 } from '@tseeder/testkit/fixtures'
import { startSwarm, type Swarm } from '@tseeder/testkit/swarm'
import { waitFor } from '@tseeder/testkit/wait'

let stack: TestStack
let swarm: Swarm
let admin: Session

beforeAll(async () => {
  ;[stack, swarm] = await Promise.all([startTestStack(2), startSwarm()])
  if (!stack.admin) throw new Error('a fresh stack creates its first admin')
  admin = await signIn(stack.url, stack.admin.email, stack.admin.password)
})

afterAll(async () => {
  const groups = stack?.children().map((c) => c.process.pid!) ?? []
  await Promise.allSettled([stack?.close(), swarm?.close()])
  // Nothing this suite started is left running: every child's process group is empty.
  expect(groups.flatMap(groupMembers)).toEqual([])
})

/** The processes still in process group `pgid` (`pgrep -g`), with their command lines. */
function groupMembers(pgid: number): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line && !line.endsWith('<defunct>')) // exited, awaiting a reaper
  } catch {
    return [] // exit status 1: no process matched
  }
}

async function waitForJob(
  user: Session,
  id: string,
  until: (job: JobWithFiles) => boolean,
  timeoutMs = 90_000,
): Promise<JobWithFiles> {
  const deadline = Date.now() + timeoutMs
  let job = await user.api.getJob({ params: { id } })
  while (!until(job)) {
    if (job.status === 'failed' || job.status === 'cancelled')
      throw new Error(`job ${id} ended ${job.status}: ${JSON.stringify(job.error)}`)
    if (Date.now() > deadline)
      throw new Error(`job ${id} still ${job.status} after ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 250))
    job = await user.api.getJob({ params: { id } })
  }
  return job
}

const completed = (job: JobWithFiles) => job.status === 'completed'

async function adminJob(id: string) {
  const { jobs } = await admin.api.adminListJobs({ query: { limit: 100 } })
  const job = jobs.find((j) => j.id === id)
  if (!job) throw new Error(`job ${id} is not in GET /api/admin/jobs`)
  return job
}

/** Follows a file's signed link (redirect to storage) and returns the bytes. */
async function download(user: Session, fileId: string, init: RequestInit = {}) {
  const { url } = await user.api.createFileLink({ params: { id: fileId } })
  const response = await fetch(new URL(url, stack.url), init)
  return { url, response, bytes: Buffer.from(await response.arrayBuffer()) }
}

/** Every file of a completed job downloads with the seeded bytes (matched by torrent index). */
async function expectFilesMatch(user: Session, jobId: string, sha: string[]) {
  const { files } = await user.api.listJobFiles({ params: { id: jobId } })
  expect(files).toHaveLength(sha.length)
  for (const file of files) {
    expect(file.available).toBe(true)
    const { response, bytes } = await download(user, file.id)
    expect(response.status).toBe(200)
    expect(sha256(bytes)).toBe(sha[file.index])
  }
  return files
}

describe('tseeder end to end, two agents and a local swarm', () => {
  it('takes a magnet from sign-up to a verified download, shares it instantly with a second user, and kills the link on delete', async () => {
    const fixture = buildTorrent({
      name: 'e2e-magnet',
      announce: swarm.announce,
      files: [
        // Over the agent's 8 MiB part size: stored as a two-part multipart object.
        { segments: ['video.bin'], data: content(9 * 1024 * 1024) },
        { segments: ['notes', 'readme.txt'], data: content(20_000) },
      ],
    })
    await swarm.seeder().seed(fixture)

    const alice = await signUp(stack.url)
    const stream = await watchEvents(alice)
    const job = await alice.api.createJob({ body: { magnet: fixture.magnet } })
    expect(job.infohash).toBe(fixture.infohash)
    const done = await waitForJob(alice, job.id, completed)
    expect(done.progressPct).toBe(100)

    // Events over /api/events, in lifecycle order.
    await stream.until(
      (all) =>
        all.some((e) => e.jobId === job.id && e.type === 'status' && e.status === 'completed'),
      15_000,
    )
    await stream.close()
    const events = stream.of(job.id)
    const steps = events.flatMap((e) =>
      e.type === 'status' ? [e.status] : e.type === 'metadata' ? ['metadata'] : [],
    )
    const at = (step: JobStatus | 'metadata') => steps.indexOf(step)
    expect(steps[0], steps.join(' → ')).toBe('submitted')
    expect(at('metadata_fetch'), steps.join(' → ')).toBeGreaterThan(at('submitted'))
    expect(at('metadata'), steps.join(' → ')).toBeGreaterThan(at('metadata_fetch'))
    expect(at('downloading'), steps.join(' → ')).toBeGreaterThan(at('metadata'))
    expect(steps.at(-1), steps.join(' → ')).toBe('completed')
    expect(steps.filter((s) => s === 'completed')).toHaveLength(1)
    const seqs = events.map((e) => e.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    const metadata = events.find((e) => e.type === 'metadata')
    expect(metadata).toMatchObject({ fileCount: 2, bytesTotal: 9 * 1024 * 1024 + 20_000 })

    // A signed link, followed to storage: the bytes are the seeded ones.
    const files = await expectFilesMatch(alice, job.id, fixture.sha256)
    const video = files.find((f) => f.index === 0)!
    expect(video.path).toBe('e2e-magnet/video.bin')
    const { url: link } = await alice.api.createFileLink({ params: { id: video.id } })
    const whole = await fetch(new URL(link, stack.url))
    expect(whole.status).toBe(200)
    expect(
      createHash('sha256')
        .update(Buffer.from(await whole.arrayBuffer()))
        .digest('hex'),
    ).toBe(fixture.sha256[0])

    // A Range request, across the two parts, answers 206 with exactly those bytes.
    const boundary = 8 * 1024 * 1024
    const ranged = await fetch(new URL(link, stack.url), {
      headers: { range: `bytes=${boundary - 1000}-${boundary + 999}` },
    })
    expect(ranged.status).toBe(206)
    expect(ranged.headers.get('content-range')).toBe(
      `bytes ${boundary - 1000}-${boundary + 999}/${9 * 1024 * 1024}`,
    )
    expect(
      Buffer.from(await ranged.arrayBuffer()).equals(
        fixture.files[0]!.data.subarray(boundary - 1000, boundary + 1000),
      ),
    ).toBe(true)

    // A second user asking for the same content gets it at once.
    const bob = await signUp(stack.url)
    const instant = await bob.api.createJob({ body: { magnet: fixture.magnet } })
    expect(instant.status).toBe('completed')
    expect(instant.id).not.toBe(job.id)
    await expectFilesMatch(bob, instant.id, fixture.sha256)

    // The first user deletes the job: their link is dead, the second user's copy is not.
    await alice.api.deleteJob({ params: { id: job.id } })
    const dead = await fetch(new URL(link, stack.url), { redirect: 'manual' })
    expect(dead.status).toBe(403)
    await expectFilesMatch(bob, instant.id, fixture.sha256)
  })

  it('spreads two jobs over the two agents', async () => {
    const fixtures = ['e2e-spread-a', 'e2e-spread-b'].map((name) =>
      buildTorrent({
        name,
        announce: swarm.announce,
        singleFile: true,
        files: [{ segments: [name], data: content(600_000) }],
      }),
    )
    const seeder = swarm.seeder()
    for (const f of fixtures) await seeder.seed(f)
    const carol = await signUp(stack.url)
    const jobs = await Promise.all(
      fixtures.map((f) => carol.api.createJob({ body: { magnet: f.magnet } })),
    )
    const agentIds = new Set<string>()
    for (const [i, job] of jobs.entries()) {
      await waitForJob(carol, job.id, completed)
      const seen = await adminJob(job.id)
      expect(seen.agentId).not.toBeNull()
      agentIds.add(seen.agentId!)
      await expectFilesMatch(carol, job.id, fixtures[i]!.sha256)
    }
    expect([...agentIds].sort()).toEqual(stack.agents.map((a) => a.id).sort())
  })

  it('keeps one download for two users through the first one’s pause and resume', async () => {
    const size = 6 * 1024 * 1024
    const fixture = buildTorrent({
      name: 'e2e-shared',
      announce: swarm.announce,
      singleFile: true,
      files: [{ segments: ['e2e-shared'], data: content(size) }],
    })
    const slow = swarm.seeder()
    await slow.seed(fixture)
    slow.throttle(256 * 1024)
    const grace = await signUp(stack.url)
    const heidi = await signUp(stack.url)
    const leader = await grace.api.createJob({ body: { magnet: fixture.magnet } })
    await waitForJob(grace, leader.id, (j) => j.status === 'downloading' && j.bytesDownloaded > 0)
    const rider = await heidi.api.createJob({ body: { magnet: fixture.magnet } })
    expect(rider.status).toBe('downloading')
    expect((await adminJob(rider.id)).agentId).toBeNull()

    // Grace pauses: Heidi's job takes the download over, on an agent of its own.
    await grace.api.pauseJob({ params: { id: leader.id } })
    const heir = await waitFor(
      async () => (await adminJob(rider.id)).agentId,
      30_000,
      'the heir on an agent',
    )
    // Grace resumes: her copy is further along than the heir's fresh one, so Heidi's rides on
    // it again and the heir's copy is stopped.
    await grace.api.resumeJob({ params: { id: leader.id } })
    expect((await adminJob(rider.id)).agentId).toBeNull()
    expect((await adminJob(leader.id)).agentId).not.toBeNull()
    console.log(
      `shared download: heir on ${heir}, taken back by ${(await adminJob(leader.id)).agentId}`,
    )

    slow.throttle(-1)
    await waitForJob(grace, leader.id, completed)
    await waitForJob(heidi, rider.id, completed, 30_000)
    await expectFilesMatch(grace, leader.id, fixture.sha256)
    await expectFilesMatch(heidi, rider.id, fixture.sha256)
    expect((await adminJob(leader.id)).attempt).toBe(1)
  })

  it('completes a .torrent upload sent as multipart form data', async () => {
    const fixture = buildTorrent({
      name: 'e2e-upload',
      announce: swarm.announce,
      files: [
        { segments: ['a.bin'], data: content(300_000) },
        { segments: ['b', 'c.bin'], data: content(150_000) },
      ],
    })
    await swarm.seeder().seed(fixture)
    const dave = await signUp(stack.url)
    const form = new FormData()
    form.set(
      'torrent',
      new Blob([new Uint8Array(fixture.torrent)], { type: 'application/x-bittorrent' }),
      'e2e-upload.torrent',
    )
    const job = await dave.api.createJob({ body: form })
    expect(job.infohash).toBe(fixture.infohash)
    await waitForJob(dave, job.id, completed)
    await expectFilesMatch(dave, job.id, fixture.sha256)
  })

  it('gives a torrent with hostile names clean relative file names that download correctly', async () => {
    const fixture = buildTorrent({
      name: '..',
      announce: swarm.announce,
      files: [
        { segments: ['..', '..', '..', 'escape.txt'], data: content(70_000) },
        { segments: ['/etc/passwd'], data: content(1_000) },
        { segments: ['a\\..\\..\\b.txt'], data: content(2_000) },
        { segments: ['', '.', 'ok.txt'], data: content(900) },
        { segments: ['C:\\Windows\\system32\\evil.dll'], data: content(3_000) },
      ],
    })
    await swarm.seeder().seed(fixture)
    const erin = await signUp(stack.url)
    const job = await erin.api.createJob({ body: { magnet: fixture.magnet } })
    await waitForJob(erin, job.id, completed)
    const files = await expectFilesMatch(erin, job.id, fixture.sha256)
    const paths = files.map((f) => f.path)
    expect(new Set(paths).size).toBe(paths.length)
    for (const path of paths) {
      expect(path).not.toMatch(/^[/\\]/)
      expect(path).not.toMatch(/^[A-Za-z]:/)
      expect(path).not.toContain('\\')
      expect(path.split('/')).not.toContain('..')
      expect(path.split('/')).not.toContain('.')
      expect(path.split('/')).not.toContain('')
    }
  })

  it('re-queues a job whose agent is killed mid-download and completes it on the other agent', async () => {
    const size = 6 * 1024 * 1024
    const fixture = buildTorrent({
      name: 'e2e-crash',
      announce: swarm.announce,
      singleFile: true,
      files: [{ segments: ['e2e-crash'], data: content(size) }],
    })
    const slow = swarm.seeder()
    await slow.seed(fixture)
    slow.throttle(384 * 1024)
    const frank = await signUp(stack.url)
    const stream = await watchEvents(frank)
    const job = await frank.api.createJob({ body: { magnet: fixture.magnet } })

    // Mid-download: some bytes in, far from done.
    const seen: string[] = []
    await waitForJob(frank, job.id, (j) => {
      seen.push(`${j.status}:${j.bytesDownloaded}`)
      if (j.status === 'completed') throw new Error(`finished before the kill: ${seen.join(' ')}`)
      return j.status === 'downloading' && j.bytesDownloaded > 0
    })
    const first = (await adminJob(job.id)).agentId!
    expect(stack.agents.map((a) => a.id)).toContain(first)
    const before = await frank.api.getJob({ params: { id: job.id } })
    expect(before.bytesDownloaded).toBeLessThan(size)
    const killedAt = Date.now()
    await stack.killAgent(first)
    slow.throttle(-1) // the rest goes fast: what matters is where it finishes

    const done = await waitForJob(frank, job.id, completed, 120_000)
    const requeuedAfter = Date.now() - killedAt
    expect(done.bytesDownloaded).toBe(size)
    const finished = await adminJob(job.id)
    expect(finished.agentId).not.toBe(first)
    expect(finished.attempt).toBeGreaterThan(1)
    await expectFilesMatch(frank, job.id, fixture.sha256)

    await stream.close()
    const events = stream.of(job.id)
    expect(events.some((e) => e.type === 'error' && e.code === 'worker_stale')).toBe(true)
    expect(events.some((e) => e.type === 'status' && e.status === 'queued')).toBe(true)
    console.log(`re-queued and completed ${Math.round(requeuedAfter / 1000)} s after the kill`)
  })
})
