// Torrents from another client, through the whole stack: libtorrent (qBittorrent's and Deluge's
// engine, Debian's python3-libtorrent) makes a hybrid v1 + v2 torrent with BEP 47 pad files, an
// empty file and names with spaces, and seeds it on 127.0.0.1; the stack downloads it by magnet.
import type { JobWithFiles } from '@tseeder/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '@tseeder/testkit/fixtures'
import {
  type LibtorrentSeeder,
  requireLibtorrent,
  startLibtorrentSeeder,
} from '@tseeder/testkit/libtorrent'
import { type Session, signUp } from '@tseeder/testkit/session'
import { startSwarm, type Swarm } from '@tseeder/testkit/swarm'
import { type TestStack, startTestStack } from '@tseeder/testkit/test-stack'

let stack: TestStack
let swarm: Swarm
let seeder: LibtorrentSeeder

beforeAll(async () => {
  requireLibtorrent() // missing: the suite fails saying what to install, it is never skipped
  ;[stack, swarm] = await Promise.all([startTestStack(1), startSwarm()])
  seeder = await startLibtorrentSeeder({ announce: swarm.announce })
})

afterAll(async () => {
  await Promise.allSettled([seeder?.close(), stack?.close(), swarm?.close()])
})

async function waitForCompleted(user: Session, id: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const job = await user.api.getJob({ params: { id } })
    if (job.status === 'completed') return job
    if (job.status === 'failed' || job.status === 'cancelled')
      throw new Error(`job ${id} ended ${job.status}: ${JSON.stringify(job.error)}`)
    if (Date.now() > deadline) {
      throw new Error(
        `job ${id} still ${job.status} after ${timeoutMs / 1000} s\n${stack.logTail('local-agent-1')}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** The job lists exactly the seeded real files (no pad file), and each downloads byte for byte. */
async function expectRealFiles(user: Session, job: JobWithFiles, from = seeder) {
  const real = from.files
  const total = real.reduce((sum, f) => sum + f.size, 0)
  expect(job.files.map((f) => [f.path, f.size]).sort()).toEqual(
    real.map((f) => [f.path, f.size]).sort(),
  )
  expect(job.files.some((f) => f.path.includes('.pad'))).toBe(false)
  expect(job.bytesTotal).toBe(total)
  // The torrent's own indexes: the pad files between the real files leave gaps.
  const indexes = job.files.map((f) => f.index).sort((a, b) => a - b)
  expect(indexes.at(-1)!).toBeGreaterThan(indexes.length - 1)

  const { files } = await user.api.listJobFiles({ params: { id: job.id } })
  expect(files).toHaveLength(real.length)
  for (const file of files) {
    const expected = real.find((f) => f.path === file.path)!
    expect(file.available, file.path).toBe(true)
    const { url } = await user.api.createFileLink({ params: { id: file.id } })
    const response = await fetch(new URL(url, stack.url))
    expect(response.status, file.path).toBe(200)
    const bytes = Buffer.from(await response.arrayBuffer())
    expect(bytes.length, file.path).toBe(expected.size)
    expect(sha256(bytes), file.path).toBe(expected.sha256)
  }
  expect(files.find((f) => f.path.endsWith('/empty.txt'))?.size).toBe(0)
  expect((await user.api.me()).usage.storageBytes).toBe(total)
}

describe('a hybrid torrent made and seeded by libtorrent', () => {
  it('downloads by libtorrent’s own magnet (btih + btmh) with its pad files left out and every byte right', async () => {
    const alice = await signUp(stack.url)
    const job = await alice.api.createJob({ body: { magnet: seeder.magnet } })
    expect(job.infohash).toBe(seeder.infohash)
    const done = await waitForCompleted(alice, job.id)
    expect(done.progressPct).toBe(100)
    await expectRealFiles(alice, done)
  })

  it('gives a second user the stored files at once, though their indexes have gaps', async () => {
    const carol = await signUp(stack.url)
    const job = await carol.api.createJob({ body: { magnet: seeder.magnet } })
    expect(job.status).toBe('completed')
    await expectRealFiles(carol, await carol.api.getJob({ params: { id: job.id } }))
  })

  it('downloads the same kind of torrent uploaded as a .torrent file (multipart)', async () => {
    const other = await startLibtorrentSeeder({ announce: swarm.announce, name: 'upload set' })
    try {
      const bob = await signUp(stack.url)
      const form = new FormData()
      const torrent = new Uint8Array(other.torrents.hybrid)
      form.set('torrent', new Blob([torrent], { type: 'application/x-bittorrent' }), 'x.torrent')
      const job = await bob.api.createJob({ body: form })
      expect(job.infohash).toBe(other.infohash)
      await expectRealFiles(bob, await waitForCompleted(bob, job.id), other)
    } finally {
      await other.close()
    }
  })
})
