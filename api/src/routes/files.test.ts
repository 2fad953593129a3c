import { AwsV4Signer } from 'aws4fetch'
import { createExecutionContext, env } from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import { app } from '../app.ts'
import { signLink } from '../lib/download-tokens.ts'
import { apiError, signUp, tokenClient } from '../../test/helpers.ts'
import {
  agentSide,
  magnetFor,
  objectExists,
  randomInfohash,
  registerAgent,
  storedJob,
  waitForStart,
} from '../../test/pipeline.ts'

async function sha256(bytes: ArrayBuffer | Uint8Array) {
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
}

const path = (url: string) => new URL(url).pathname

/**
 * Whether S3 or R2 would serve a presigned URL to a request with this `Range` header: the local
 * S3 server does not check signatures, so the test checks them the way SigV4 storage does. Every
 * header the URL names as signed must be sent, with the value that was signed; others are ignored.
 */
async function storageAccepts(location: string, range: string | null): Promise<boolean> {
  const url = new URL(location)
  const given = url.searchParams.get('X-Amz-Signature')
  url.searchParams.delete('X-Amz-Signature')
  const sent = new Headers(range ? { range } : {})
  const headers = new Headers()
  for (const name of url.searchParams.get('X-Amz-SignedHeaders')!.split(';')) {
    if (name === 'host') continue
    if (!sent.has(name)) return false
    headers.set(name, sent.get(name)!)
  }
  const signer = new AwsV4Signer({
    method: 'GET',
    url: url.toString(),
    headers,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    region: env.S3_REGION,
    service: 's3',
    datetime: url.searchParams.get('X-Amz-Date')!,
    signQuery: true,
    allHeaders: true,
  })
  return (await signer.signature()) === given
}

describe('signed download links', () => {
  it('redirect to a 60-second storage URL whose bytes match, with the file name', async () => {
    const user = await signUp()
    const { files, bytes } = await storedJob(user)
    const link = await user.api.createFileLink({ params: { id: files[1]!.id } })
    expect(path(link.url)).toMatch(/^\/dl\//)
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(59 * 60_000)

    const response = await user.fetch(path(link.url), { redirect: 'manual' })
    expect(response.status).toBe(302)
    const location = new URL(response.headers.get('location')!)
    expect(location.searchParams.get('X-Amz-Expires')).toBe('60')
    expect(location.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="b.mp4"; filename*=UTF-8''b.mp4`,
    )
    const download = await fetch(location)
    expect(download.status).toBe(200)
    expect(await sha256(await download.arrayBuffer())).toBe(await sha256(bytes[1]!))
    const ranged = await fetch(location, { headers: { range: 'bytes=10-19' } })
    expect(ranged.status).toBe(206)
    expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(bytes[1]!.slice(10, 20))
  })

  it('redirect a ranged request to a storage URL signed for that Range only', async () => {
    const user = await signUp()
    const { files, bytes } = await storedJob(user)
    const { url } = await user.api.createFileLink({ params: { id: files[0]!.id } })

    const whole = await user.fetch(path(url), { redirect: 'manual' })
    const wholeLocation = whole.headers.get('location')!
    expect(await storageAccepts(wholeLocation, null)).toBe(true)
    expect(await storageAccepts(wholeLocation, 'bytes=10-19')).toBe(true)

    const oneByte = await user.fetch(path(url), {
      redirect: 'manual',
      headers: { range: 'bytes=0-0' },
    })
    expect(oneByte.status).toBe(302)
    const location = oneByte.headers.get('location')!
    expect(new URL(location).searchParams.get('X-Amz-SignedHeaders')).toBe('host;range')
    expect(await storageAccepts(location, 'bytes=0-0')).toBe(true)
    expect(await storageAccepts(location, null)).toBe(false)
    expect(await storageAccepts(location, 'bytes=0-')).toBe(false)
    expect(await storageAccepts(location, 'bytes=0-599')).toBe(false)
    expect((await user.api.me()).usage.bandwidthBytes).toBe(600 + 1)

    const tail = await user.fetch(path(url), {
      redirect: 'manual',
      headers: { range: 'bytes=-100' },
    })
    const tailLocation = tail.headers.get('location')!
    expect(await storageAccepts(tailLocation, 'bytes=-100')).toBe(true)
    expect(await storageAccepts(tailLocation, 'bytes=-600')).toBe(false)
    expect((await user.api.me()).usage.bandwidthBytes).toBe(600 + 1 + 100)

    const middle = await user.fetch(path(url), {
      redirect: 'manual',
      headers: { range: 'bytes=100-199' },
    })
    const part = await fetch(middle.headers.get('location')!, {
      headers: { range: 'bytes=100-199' },
    })
    expect(part.status).toBe(206)
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes[0]!.slice(100, 200))
  })

  it('are logged by route pattern, never with their token', async () => {
    const user = await signUp()
    const { files } = await storedJob(user)
    const { url } = await user.api.createFileLink({ params: { id: files[0]!.id } })
    const token = path(url).slice('/dl/'.length)
    const lines: string[] = []
    const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line))
    })
    try {
      expect((await user.fetch(path(url), { redirect: 'manual' })).status).toBe(302)
      expect((await user.fetch(`/dl/${token}x`, { redirect: 'manual' })).status).toBe(403)
    } finally {
      spy.mockRestore()
    }
    const requests = lines
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.msg === 'request')
    expect(requests.map((entry) => [entry.path, entry.status])).toEqual([
      ['/dl/:token', 302],
      ['/dl/:token', 403],
    ])
    expect(lines.join('\n')).not.toContain(token.split('.')[1])
  })

  it('stream the bytes with Range (206) and Content-Disposition in stream mode', async () => {
    const user = await signUp()
    const { files, bytes } = await storedJob(user)
    const { url } = await user.api.createFileLink({ params: { id: files[0]!.id } })
    const streamEnv = { ...env, DOWNLOAD_MODE: 'stream' }
    const whole = await app.request(path(url), {}, streamEnv, createExecutionContext())
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(whole.headers.get('content-disposition')).toBe(
      `attachment; filename="a.txt"; filename*=UTF-8''a.txt`,
    )
    expect(await sha256(await whole.arrayBuffer())).toBe(await sha256(bytes[0]!))
    const part = await app.request(
      path(url),
      { headers: { range: 'bytes=100-199' } },
      streamEnv,
      createExecutionContext(),
    )
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe('bytes 100-199/600')
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes[0]!.slice(100, 200))
    const unsatisfiable = await app.request(
      path(url),
      { headers: { range: 'bytes=900-' } },
      streamEnv,
      createExecutionContext(),
    )
    expect(unsatisfiable.status).toBe(416)
  })

  it('stream in production unless told otherwise, so each byte delivered is a byte charged', async () => {
    const user = await signUp()
    const { files, bytes } = await storedJob(user)
    const { url } = await user.api.createFileLink({ params: { id: files[0]!.id } })
    const production = { ...env, ENVIRONMENT: 'production', DOWNLOAD_MODE: '' }
    const before = (await user.api.me()).usage.bandwidthBytes
    for (let i = 0; i < 3; i++) {
      const part = await app.request(
        path(url),
        { headers: { range: 'bytes=100-199' } },
        production,
        createExecutionContext(),
      )
      expect(part.status).toBe(206)
      expect(part.headers.get('location')).toBeNull()
      expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes[0]!.slice(100, 200))
    }
    expect((await user.api.me()).usage.bandwidthBytes - before).toBe(300)
    const local = await app.request(
      path(url),
      {},
      { ...env, ENVIRONMENT: 'local', DOWNLOAD_MODE: '' },
      createExecutionContext(),
    )
    expect(local.status).toBe(302)
  })

  it('write the bytes each download was charged for as a metric, streamed or redirected', async () => {
    const user = await signUp()
    const { files } = await storedJob(user)
    const { url } = await user.api.createFileLink({ params: { id: files[0]!.id } })
    const metrics: AnalyticsEngineDataPoint[] = []
    const dataset = { writeDataPoint: (point: AnalyticsEngineDataPoint) => metrics.push(point) }
    const ask = (mode: string, range?: string) =>
      app.request(
        path(url),
        range ? { headers: { range } } : {},
        { ...env, DOWNLOAD_MODE: mode, METRICS: dataset },
        createExecutionContext(),
      )
    expect((await ask('redirect')).status).toBe(302)
    expect((await ask('stream', 'bytes=100-199')).status).toBe(206)
    expect((await ask('stream', 'bytes=900-')).status).toBe(416)
    const downloads = metrics.filter((p) => p.blobs![0] === 'download')
    expect(downloads.map((p) => [p.blobs, p.doubles])).toEqual([
      [['download', 'redirect', 'whole', 'free'], [600]],
      [['download', 'stream', 'range', 'free'], [100]],
    ])
  })

  it('answer 403 when expired or tampered with', async () => {
    const user = await signUp()
    const { files } = await storedJob(user)
    const expired = await signLink(env.LINK_SIGNING_KEY, {
      fileId: files[0]!.id,
      userId: user.userId,
      expiresAt: Date.now() - 1,
    })
    const r1 = await user.fetch(`/dl/${expired}`, { redirect: 'manual' })
    expect(r1.status).toBe(403)
    expect(await r1.json()).toMatchObject({ error: { code: 'link_expired' } })
    const { url } = await user.api.createFileLink({ params: { id: files[0]!.id } })
    const token = path(url).slice(4)
    const tampered = `${token.slice(0, -2)}${token.endsWith('aa') ? 'bb' : 'aa'}`
    expect((await user.fetch(`/dl/${tampered}`, { redirect: 'manual' })).status).toBe(403)
    const forged = await signLink('not-the-key', {
      fileId: files[0]!.id,
      userId: user.userId,
      expiresAt: Date.now() + 60_000,
    })
    expect((await user.fetch(`/dl/${forged}`, { redirect: 'manual' })).status).toBe(403)
  })

  it('cannot be made for another user\u2019s file, nor for a file not stored yet', async () => {
    const owner = await signUp()
    const { files } = await storedJob(owner)
    const other = await signUp()
    expect(
      (await apiError(other.api.createFileLink({ params: { id: files[0]!.id } }))).status,
    ).toBe(404)

    await registerAgent()
    const infohash = randomInfohash()
    const job = await owner.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const { agentId } = await waitForStart(job.id)
    await agentSide(job.id, agentId).send({
      type: 'metadata_ready',
      infohash,
      name: 'x',
      bytesTotal: 1,
      files: [{ index: 0, path: 'x', size: 1 }],
    })
    const [pending] = (await owner.api.listJobFiles({ params: { id: job.id } })).files
    expect((await apiError(owner.api.createFileLink({ params: { id: pending!.id } }))).status).toBe(
      409,
    )
  })

  it('need the files:read scope for tokens', async () => {
    const user = await signUp()
    const { files } = await storedJob(user)
    const reader = await tokenClient(user, ['jobs:read'])
    expect((await apiError(reader.api.createFileLink({ params: { id: files[0]!.id } }))).code).toBe(
      'insufficient_scope',
    )
    const files_ = await tokenClient(user, ['files:read'])
    expect((await files_.api.createFileLink({ params: { id: files[0]!.id } })).url).toMatch(
      /\/dl\//,
    )
  })

  it('meter the bytes each request asks for and stop at the monthly bandwidth quota', async () => {
    const user = await signUp()
    const { files } = await storedJob(user)
    const { url } = await user.api.createFileLink({ params: { id: files[0]!.id } })
    await user.fetch(path(url), { redirect: 'manual' })
    await user.fetch(path(url), { redirect: 'manual', headers: { range: 'bytes=0-99' } })
    expect((await user.api.me()).usage.bandwidthBytes).toBe(700)

    await env.DB.prepare('UPDATE usage SET bandwidth_bytes = ? WHERE user_id = ?')
      .bind(50_000_000_000 - 550, user.userId)
      .run()
    const over = await user.fetch(path(url), { redirect: 'manual' })
    expect(over.status).toBe(422)
    expect(await over.json()).toMatchObject({
      error: { code: 'quota_exceeded', limit: 'bandwidth' },
    })
    expect(
      (await user.fetch(path(url), { redirect: 'manual', headers: { range: 'bytes=0-99' } }))
        .status,
    ).toBe(302)
  })
})

describe('blocked content', () => {
  it('is neither linked nor served once its info hash is on the blocklist', async () => {
    const admin = await signUp()
    await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(admin.userId).run()
    const user = await signUp()
    const { files, infohash } = await storedJob(user)
    const { url } = await user.api.createFileLink({ params: { id: files[0]!.id } })

    await admin.api.adminAddBlocklist({ body: { infohash, reason: 'copyright notice' } })
    const link = await apiError(user.api.createFileLink({ params: { id: files[0]!.id } }))
    expect(link).toMatchObject({ status: 403, code: 'blocked' })
    expect(link.message).toContain('copyright notice')
    for (const headers of [{}, { range: 'bytes=0-0' }] as Record<string, string>[]) {
      const served = await user.fetch(path(url), { redirect: 'manual', headers })
      expect(served.status).toBe(403)
      expect(await served.json()).toMatchObject({
        error: {
          code: 'blocked',
          message:
            'This content has been blocked and can no longer be downloaded: copyright notice',
        },
      })
    }
    expect((await user.api.me()).usage.bandwidthBytes).toBe(0)

    await admin.api.adminRemoveBlocklist({ params: { infohash } })
    expect((await user.fetch(path(url), { redirect: 'manual' })).status).toBe(302)
  })
})

describe('DELETE /api/jobs/:id', () => {
  it('kills links at once, frees storage and removes objects no other job uses', async () => {
    const alice = await signUp()
    const { job, files, infohash } = await storedJob(alice)
    const bob = await signUp()
    const bobs = await bob.api.createJob({ body: { magnet: magnetFor(infohash) } })
    const { url } = await alice.api.createFileLink({ params: { id: files[0]!.id } })

    await alice.api.deleteJob({ params: { id: job.id } })
    const dead = await alice.fetch(path(url), { redirect: 'manual' })
    expect(dead.status).toBe(403)
    expect(await dead.json()).toMatchObject({ error: { code: 'link_revoked' } })
    expect((await alice.api.me()).usage.storageBytes).toBe(0)
    expect((await apiError(alice.api.getJob({ params: { id: job.id } }))).status).toBe(404)
    expect(await objectExists(`content/${infohash}/0`)).toBe(true)

    await bob.api.deleteJob({ params: { id: bobs.id } })
    expect(await objectExists(`content/${infohash}/0`)).toBe(false)
    expect(
      await env.DB.prepare('SELECT 1 FROM content WHERE infohash = ?').bind(infohash).first(),
    ).toBeNull()
  })
})
