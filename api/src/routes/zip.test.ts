import { env } from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import { apiError, signUp, tokenClient, type SignedUp } from '../../test/helpers.ts'
import {
  agentSide,
  completed,
  magnetFor,
  metadata,
  putObject,
  randomInfohash,
  registerAgent,
  waitForStart,
} from '../../test/pipeline.ts'

/** Byte-wise CRC-32 for the test's data (the agent records it while uploading in production). */
function crc32(bytes: Uint8Array): number {
  let crc = ~0
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1
  }
  return ~crc >>> 0
}

function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let at = 0; at < length; at += 65_536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(length, at + 65_536)))
  }
  return bytes
}

const FILES = [
  { index: 0, path: 'demo/a.txt', size: 600 },
  { index: 1, path: 'demo/sub/b.mp4', size: 400 },
  { index: 2, path: 'demo/sub/deeper/c.bin', size: 70_000 },
]

/** A completed job of `FILES`, stored in S3; `withCrc: false` reports them as older agents did. */
async function zippableJob(user: SignedUp, options: { withCrc?: boolean } = {}) {
  await registerAgent()
  const infohash = randomInfohash()
  const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
  const { agentId } = await waitForStart(job.id)
  const bytes = FILES.map((f) => randomBytes(f.size))
  for (const f of FILES) await putObject(`content/${infohash}/${f.index}`, bytes[f.index]!)
  const agent = agentSide(job.id, agentId)
  await agent.send(metadata(infohash, FILES))
  const done = completed(infohash, FILES)
  if (options.withCrc !== false)
    done.files.forEach((f, i) => Object.assign(f, { crc32: crc32(bytes[i]!) }))
  await agent.send(done)
  return { job, infohash, bytes }
}

/** The entries of a ZIP (stored entries only), read through its central directory. */
function readZip(archive: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(archive.buffer, archive.byteOffset, archive.length)
  const eocd = archive.length - 22
  expect(view.getUint32(eocd, true)).toBe(0x06054b50)
  const count = view.getUint16(eocd + 10, true)
  let at = view.getUint32(eocd + 16, true)
  const entries = new Map<string, Uint8Array>()
  for (let i = 0; i < count; i++) {
    expect(view.getUint32(at, true)).toBe(0x02014b50)
    const crc = view.getUint32(at + 16, true)
    const size = view.getUint32(at + 24, true)
    const nameLength = view.getUint16(at + 28, true)
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true)
    const offset = view.getUint32(at + 42, true)
    const name = new TextDecoder().decode(archive.subarray(at + 46, at + 46 + nameLength))
    expect(view.getUint32(offset, true)).toBe(0x04034b50)
    const dataAt =
      offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true)
    const data = archive.subarray(dataAt, dataAt + size)
    expect(crc32(data)).toBe(crc)
    entries.set(name, data)
    at += 46 + skip
  }
  return entries
}

const path = (url: string) => new URL(url).pathname

describe('zips of a job', () => {
  it('stream the whole job as a ZIP with its Content-Length, names as the file list shows them', async () => {
    const user = await signUp()
    const { job, bytes } = await zippableJob(user)
    const link = await user.api.createZipLink({ params: { id: job.id } })
    expect(link).toMatchObject({ name: 'demo.zip', files: 3 })
    expect(path(link.url)).toMatch(/^\/dl\/zip\//)

    // The link is a capability: another browser, signed in as someone else, can use it.
    const anonymous = await signUp()
    const zip = await anonymous.fetch(path(link.url))
    expect(zip.status).toBe(200)
    expect(zip.headers.get('content-type')).toBe('application/zip')
    expect(zip.headers.get('content-length')).toBe(String(link.size))
    expect(zip.headers.get('accept-ranges')).toBe('bytes')
    expect(zip.headers.get('content-disposition')).toContain('filename="demo.zip"')
    const archive = new Uint8Array(await zip.arrayBuffer())
    expect(archive.length).toBe(link.size)
    const entries = readZip(archive)
    expect([...entries.keys()]).toEqual(FILES.map((f) => f.path))
    FILES.forEach((f) => expect(entries.get(f.path)).toEqual(bytes[f.index]))
  })

  it('zip one folder, its files named from the folder itself on', async () => {
    const user = await signUp()
    const { job, bytes } = await zippableJob(user)
    const link = await user.api.createZipLink({
      params: { id: job.id },
      body: { folder: 'demo/sub' },
    })
    expect(link).toMatchObject({ name: 'sub.zip', files: 2 })
    const entries = readZip(new Uint8Array(await (await user.fetch(path(link.url))).arrayBuffer()))
    expect([...entries.keys()]).toEqual(['sub/b.mp4', 'sub/deeper/c.bin'])
    expect(entries.get('sub/deeper/c.bin')).toEqual(bytes[2])

    const missing = await apiError(
      user.api.createZipLink({ params: { id: job.id }, body: { folder: 'demo/su' } }),
    )
    expect(missing).toMatchObject({ status: 404, code: 'not_found' })
    expect(missing.message).toContain('"demo/su"')
  })

  it("answer 404 for another user's job and 403 for a tampered or expired link", async () => {
    const owner = await signUp()
    const { job } = await zippableJob(owner)
    const other = await signUp()
    expect(await apiError(other.api.createZipLink({ params: { id: job.id } }))).toMatchObject({
      status: 404,
    })
    const { url } = await owner.api.createZipLink({ params: { id: job.id } })
    const tampered = path(url).replace(/.$/, (c) => (c === '0' ? '1' : '0'))
    const bad = await owner.fetch(tampered)
    expect(bad.status).toBe(403)
    expect(await bad.json()).toMatchObject({ error: { code: 'link_invalid' } })
    // A file link's token is not a zip link's.
    const fileLinkToken = path(url).slice('/dl/zip/'.length)
    expect((await owner.fetch(`/dl/${fileLinkToken}`)).status).toBe(403)

    const tokens = await tokenClient(owner, ['jobs:read'])
    expect(await apiError(tokens.api.createZipLink({ params: { id: job.id } }))).toMatchObject({
      status: 403,
      code: 'insufficient_scope',
    })
    const files = await tokenClient(owner, ['files:read'])
    expect((await files.api.createZipLink({ params: { id: job.id } })).files).toBe(3)

    await owner.api.deleteJob({ params: { id: job.id } })
    const gone = await owner.fetch(path(url))
    expect(gone.status).toBe(403)
    expect(await gone.json()).toMatchObject({ error: { code: 'link_revoked' } })
  })

  it('zip only the stored files of a job whose other files were not selected', async () => {
    const user = await signUp()
    await registerAgent()
    const infohash = randomInfohash()
    const job = await user.api.createJob({
      body: { magnet: magnetFor(infohash), selectedFiles: [0, 2] },
    })
    const { agentId } = await waitForStart(job.id)
    const bytes = FILES.map((f) => randomBytes(f.size))
    const chosen = [FILES[0]!, FILES[2]!]
    for (const f of chosen) await putObject(`content/${infohash}/${f.index}`, bytes[f.index]!)
    const agent = agentSide(job.id, agentId)
    await agent.send(metadata(infohash, FILES))
    const done = completed(infohash, chosen)
    done.files.forEach((f) => Object.assign(f, { crc32: crc32(bytes[f.index]!) }))
    await agent.send(done)
    const link = await user.api.createZipLink({ params: { id: job.id } })
    expect(link.files).toBe(2)
    const entries = readZip(new Uint8Array(await (await user.fetch(path(link.url))).arrayBuffer()))
    expect([...entries.keys()]).toEqual(['demo/a.txt', 'demo/sub/deeper/c.bin'])
    expect(entries.get('demo/sub/deeper/c.bin')).toEqual(bytes[2])
  })

  it('refuse with 409, naming why, files stored before their CRC-32 was recorded', async () => {
    const user = await signUp()
    const { job } = await zippableJob(user, { withCrc: false })
    const error = await apiError(user.api.createZipLink({ params: { id: job.id } }))
    expect(error).toMatchObject({ status: 409, code: 'zip_needs_checksums' })
    expect(error.message).toMatch(/stored before tseeder recorded the checksums/)
  })

  it('refuse with 409 a job that has not completed', async () => {
    const user = await signUp()
    await registerAgent()
    const infohash = randomInfohash()
    const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const { agentId } = await waitForStart(job.id)
    await agentSide(job.id, agentId).send(metadata(infohash, FILES))
    expect(await apiError(user.api.createZipLink({ params: { id: job.id } }))).toMatchObject({
      status: 409,
      code: 'job_not_completed',
    })
  })

  it('serve a single Range as 206 with Content-Range, HEAD without charge, and 416 past the end', async () => {
    const user = await signUp()
    const { job } = await zippableJob(user)
    const { url, size } = await user.api.createZipLink({ params: { id: job.id } })
    const whole = new Uint8Array(await (await user.fetch(path(url))).arrayBuffer())
    for (const [range, start, end] of [
      ['bytes=0-0', 0, 0],
      ['bytes=40-1700', 40, 1700],
      [`bytes=1000-`, 1000, size - 1],
      ['bytes=-30', size - 30, size - 1],
    ] as const) {
      const part = await user.fetch(path(url), { headers: { range } })
      expect(part.status).toBe(206)
      expect(part.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`)
      expect(part.headers.get('content-length')).toBe(String(end - start + 1))
      expect(new Uint8Array(await part.arrayBuffer())).toEqual(whole.subarray(start, end + 1))
    }
    const before = (await user.api.me()).usage.bandwidthBytes
    const head = await user.fetch(path(url), { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(size))
    expect((await user.api.me()).usage.bandwidthBytes).toBe(before)
    const past = await user.fetch(path(url), { headers: { range: `bytes=${size}-` } })
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`)
  })

  it('count the bytes sent against the bandwidth quota, and refuse once it is used up', async () => {
    const user = await signUp()
    const { job } = await zippableJob(user)
    const { url, size } = await user.api.createZipLink({ params: { id: job.id } })
    await (await user.fetch(path(url))).arrayBuffer()
    await (await user.fetch(path(url), { headers: { range: 'bytes=0-99' } })).arrayBuffer()
    expect((await user.api.me()).usage.bandwidthBytes).toBe(size + 100)

    await env.DB.prepare('UPDATE usage SET bandwidth_bytes = ? WHERE user_id = ?')
      .bind(50_000_000_000 - 50, user.userId)
      .run()
    const over = await user.fetch(path(url))
    expect(over.status).toBe(422)
    expect(await over.json()).toMatchObject({
      error: { code: 'quota_exceeded', limit: 'bandwidth' },
    })
    const fits = await user.fetch(path(url), { headers: { range: 'bytes=0-49' } })
    expect(fits.status).toBe(206)
    expect((await fits.arrayBuffer()).byteLength).toBe(50)
  })

  it("refuse an old link once the job's files changed, so a resume never mixes two archives", async () => {
    const user = await signUp()
    const { job, infohash } = await zippableJob(user)
    const { url } = await user.api.createZipLink({ params: { id: job.id } })
    await env.DB.prepare(
      'UPDATE content_objects SET crc32 = 1 WHERE infohash = ? AND file_index = 0',
    )
      .bind(infohash)
      .run()
    const changed = await user.fetch(path(url))
    expect(changed.status).toBe(409)
    expect(await changed.json()).toMatchObject({ error: { code: 'zip_changed' } })
  })

  it('keep the CRC-32 with the shared content, so a second user of the same content can zip it', async () => {
    const alice = await signUp()
    const { infohash, bytes } = await zippableJob(alice)
    const bob = await signUp()
    const job = await bob.api.createJob({ body: { magnet: magnetFor(infohash) } })
    expect(job.status).toBe('completed')
    const link = await bob.api.createZipLink({ params: { id: job.id } })
    const entries = readZip(new Uint8Array(await (await bob.fetch(path(link.url))).arrayBuffer()))
    expect(entries.get('demo/a.txt')).toEqual(bytes[0])
  })

  it('are logged by route pattern, never with their token', async () => {
    const user = await signUp()
    const { job } = await zippableJob(user)
    const { url } = await user.api.createZipLink({ params: { id: job.id } })
    const token = path(url).slice('/dl/zip/'.length)
    const lines: string[] = []
    const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line))
    })
    try {
      await (await user.fetch(path(url), { headers: { range: 'bytes=0-9' } })).arrayBuffer()
      expect((await user.fetch(`/dl/zip/${token}x`)).status).toBe(403)
    } finally {
      spy.mockRestore()
    }
    const requests = lines
      .map((line) => JSON.parse(line) as { msg: string; path: string; status: number })
      .filter((entry) => entry.msg === 'request')
    expect(requests.map((entry) => [entry.path, entry.status])).toEqual([
      ['/dl/zip/:token', 206],
      ['/dl/zip/:token', 403],
    ])
    expect(lines.join('\n')).not.toContain(token.split('.')[1])
  })
})
