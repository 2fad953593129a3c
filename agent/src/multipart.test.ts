import { writeFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { content, sha256 } from '@tseeder/testkit/fixtures'
import { grantFor } from '@tseeder/testkit/fake-api'
import { startS3, type S3 } from '@tseeder/testkit/s3'
import { tempDir } from '@tseeder/testkit/wait'
import type { ApiClient } from './api-client.ts'
import { crc32 } from './crc32.ts'
import { PartSlots, uploadWhileDownloading } from './multipart.ts'
import { GrantSource, createS3Client, partSizeFor } from './upload.ts'

const MiB = 1024 * 1024

describe('PartSlots', () => {
  it('lets in as many parts as it has slots, then the next waiting one per freed slot', async () => {
    const slots = new PartSlots(2)
    await slots.take()
    await slots.take()
    const order: number[] = []
    const third = slots.take().then(() => order.push(3))
    const fourth = slots.take().then(() => order.push(4))
    await Promise.resolve()
    expect(order).toEqual([])
    slots.give()
    await third
    expect(order).toEqual([3])
    slots.give()
    await fourth
    expect(order).toEqual([3, 4])
  })

  it('lends a returned buffer to the next part instead of allocating one per part', async () => {
    const slots = new PartSlots(1)
    const first = await slots.take(8 * MiB)
    expect(first.length).toBe(8 * MiB)
    slots.give(first)
    const last = await slots.take(3 * MiB)
    expect(last.length).toBe(3 * MiB)
    expect(last.buffer).toBe(first.buffer)
    slots.give(last)
    // A larger part than any kept buffer gets a new one; only as many are kept as there are slots.
    const larger = await slots.take(9 * MiB)
    expect(larger.buffer).not.toBe(first.buffer)
    slots.give(larger)
    expect((await slots.take(9 * MiB)).buffer).toBe(larger.buffer)
  })
})

describe('partSizeFor', () => {
  it('uses 8 MiB parts, larger only when a file would need more than 10,000 parts', () => {
    expect(partSizeFor(0)).toBe(8 * MiB)
    expect(partSizeFor(10_000 * 8 * MiB)).toBe(8 * MiB)
    expect(partSizeFor(10_000 * 8 * MiB + 10_000)).toBe(8 * MiB + 1)
  })
})

describe('uploadWhileDownloading', () => {
  let s3: S3
  let dir: string
  beforeAll(async () => {
    s3 = await startS3()
    dir = await tempDir('multipart')
  })
  afterAll(async () => {
    await s3?.close()
    await rm(dir, { recursive: true, force: true })
  })

  function target(infohash: string) {
    const grant = grantFor(s3.endpoint, infohash)
    return { grant, s3: createS3Client(new GrantSource(grant, 'job-multipart', {} as ApiClient)) }
  }

  it('sends each part once the bytes under it are ready, in the order they become ready', async () => {
    const data = content(20 * MiB)
    const path = join(dir, 'large')
    await writeFile(path, data)
    const { grant, s3: client } = target('c'.repeat(40))
    const ready = new Set<number>()
    const asked: number[] = []
    let wake = () => {}
    const stored: number[] = []
    const upload = uploadWhileDownloading({
      s3: client,
      bucket: grant.bucket,
      key: `${grant.prefix}0`,
      contentType: 'application/octet-stream',
      path,
      size: data.length,
      slots: new PartSlots(4),
      ready: (start, end) => {
        asked.push(start)
        return end <= start ? ready.size === 3 : ready.has(start / (8 * MiB))
      },
      progressed: () => new Promise<void>((resolve) => (wake = resolve)),
      signal: new AbortController().signal,
      onPartStored: (bytes) => stored.push(bytes),
    })
    for (const part of [2, 0, 1]) {
      await expect.poll(() => asked.length).toBeGreaterThan(0)
      asked.length = 0
      ready.add(part)
      wake()
      await expect.poll(() => stored.length).toBe(ready.size)
    }
    // Parts arrive out of order; their CRCs are joined in file order.
    expect(await upload).toBe(crc32(data))
    expect(stored).toEqual([4 * MiB, 8 * MiB, 8 * MiB])
    expect(await s3.objectSha256(`${grant.prefix}0`)).toBe(sha256(data))
  })

  it('stores every part right when one buffer is lent to part after part', async () => {
    const data = content(20 * MiB)
    const path = join(dir, 'one-slot')
    await writeFile(path, data)
    const { grant, s3: client } = target('e'.repeat(40))
    await uploadWhileDownloading({
      s3: client,
      bucket: grant.bucket,
      key: `${grant.prefix}0`,
      contentType: 'application/octet-stream',
      path,
      size: data.length,
      slots: new PartSlots(1),
      ready: () => true,
      progressed: () => new Promise((resolve) => setTimeout(resolve, 20)),
      signal: new AbortController().signal,
    })
    expect(await s3.objectSha256(`${grant.prefix}0`)).toBe(sha256(data))
  })

  it('stores a file of one part with a single request', async () => {
    const data = content(300_000)
    const path = join(dir, 'small')
    await writeFile(path, data)
    const { grant, s3: client } = target('d'.repeat(40))
    const crc = await uploadWhileDownloading({
      s3: client,
      bucket: grant.bucket,
      key: `${grant.prefix}0`,
      contentType: 'image/jpeg',
      path,
      size: data.length,
      slots: new PartSlots(1),
      ready: () => true,
      progressed: async () => {},
      signal: new AbortController().signal,
    })
    expect(await s3.objectSha256(`${grant.prefix}0`)).toBe(sha256(data))
    expect(await s3.objectType(`${grant.prefix}0`)).toBe('image/jpeg')
    expect(s3.created.get(`${grant.prefix}0`)).toBe(1)
    expect(crc).toBe(crc32(data))
  })
})
