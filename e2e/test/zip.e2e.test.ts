// Zips on the whole local system (Worker under wrangler dev, s3rver, an agent, a local swarm): a
// multi-file torrent is downloaded by the agent, which records each file's CRC-32 while it
// uploads; the Worker then streams a ZIP that standard tools test and extract byte for byte, and a
// download cut halfway resumes with Range into the same archive.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestStack, startTestStack } from '@tseeder/testkit/test-stack'
import { type Session, signUp } from '@tseeder/testkit/session'
import { buildTorrent, content, sha256 } from '@tseeder/testkit/fixtures'
import { startSwarm, type Swarm } from '@tseeder/testkit/swarm'

let stack: TestStack
let swarm: Swarm
let dir: string

beforeAll(async () => {
  ;[stack, swarm] = await Promise.all([startTestStack(1), startSwarm()])
  dir = await mkdtemp(join(tmpdir(), 'tseeder-zip-e2e-'))
})

afterAll(async () => {
  await Promise.allSettled([stack?.close(), swarm?.close(), dir && rm(dir, { recursive: true })])
})

async function waitForCompleted(user: Session, id: string) {
  const deadline = Date.now() + 90_000
  for (;;) {
    const job = await user.api.getJob({ params: { id } })
    if (job.status === 'completed') return job
    if (job.status === 'failed' || Date.now() > deadline)
      throw new Error(`job ${id} is ${job.status}: ${JSON.stringify(job.error)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Every file under `root`, as relative paths with the SHA-256 of their bytes. */
function treeHashes(root: string): Record<string, string> {
  const listing = execFileSync('find', [root, '-type', 'f', '-printf', '%P\\n'], {
    encoding: 'utf8',
  })
  const out: Record<string, string> = {}
  for (const rel of listing.split('\n').filter(Boolean)) {
    out[rel] = sha256(readFileSync(join(root, rel)))
  }
  return out
}

describe('zips of a job on the real stack', () => {
  it('unzip tests and extracts every byte of a multi-file job; a cut download resumes with Range', async () => {
    const files = [
      // Over the agent's 8 MiB part size: its CRC-32 is joined from the parts' CRCs.
      { segments: ['album', 'disc 1', 'track 01.flac'], data: content(9 * 1024 * 1024 + 123) },
      { segments: ['album', 'cover.jpg'], data: content(300_000) },
      { segments: ['notes', 'léame.txt'], data: content(20_000) },
    ]
    const fixture = buildTorrent({ name: 'e2e-zip', announce: swarm.announce, files })
    await swarm.seeder().seed(fixture)
    const user = await signUp(stack.url)
    const job = await user.api.createJob({ body: { magnet: fixture.magnet } })
    await waitForCompleted(user, job.id)
    const expected = Object.fromEntries(
      files.map((f) => [['e2e-zip', ...f.segments].join('/'), sha256(f.data)]),
    )

    const link = await user.api.createZipLink({ params: { id: job.id } })
    expect(link).toMatchObject({ name: 'e2e-zip.zip', files: 3 })
    const whole = await fetch(link.url)
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-length')).toBe(String(link.size))
    const archive = Buffer.from(await whole.arrayBuffer())
    expect(archive.length).toBe(link.size)
    const path = join(dir, 'whole.zip')
    await writeFile(path, archive)
    expect(execFileSync('unzip', ['-t', path], { encoding: 'utf8' })).toContain(
      'No errors detected',
    )
    execFileSync('unzip', ['-q', path, '-d', join(dir, 'whole')])
    expect(treeHashes(join(dir, 'whole'))).toEqual(expected)
    const python = execFileSync(
      'python3',
      ['-c', 'import sys,zipfile;print(zipfile.ZipFile(sys.argv[1]).testzip())', path],
      { encoding: 'utf8' },
    )
    expect(python.trim()).toBe('None')

    // A download cut after a few MiB, then resumed from the byte it stopped at.
    const cut = new AbortController()
    const first = await fetch(link.url, { signal: cut.signal })
    const reader = first.body!.getReader()
    const received: Uint8Array[] = []
    let got = 0
    while (got < 3 * 1024 * 1024) {
      const { value } = await reader.read()
      received.push(value!)
      got += value!.length
    }
    cut.abort()
    const rest = await fetch(link.url, { headers: { range: `bytes=${got}-` } })
    expect(rest.status).toBe(206)
    expect(rest.headers.get('content-range')).toBe(`bytes ${got}-${link.size - 1}/${link.size}`)
    const resumed = Buffer.concat([...received, Buffer.from(await rest.arrayBuffer())])
    expect(sha256(resumed)).toBe(sha256(archive))

    // One folder, named from the folder on.
    const album = await user.api.createZipLink({
      params: { id: job.id },
      body: { folder: 'e2e-zip/album' },
    })
    expect(album).toMatchObject({ name: 'album.zip', files: 2 })
    const albumPath = join(dir, 'album.zip')
    await writeFile(albumPath, Buffer.from(await (await fetch(album.url)).arrayBuffer()))
    execFileSync('unzip', ['-q', albumPath, '-d', join(dir, 'album')])
    expect(treeHashes(join(dir, 'album'))).toEqual({
      'album/disc 1/track 01.flac': sha256(files[0]!.data),
      'album/cover.jpg': sha256(files[1]!.data),
    })
  })
})
