// The local S3 server (s3.ts) that the agent uploads to in its tests, its bench and
// `npm start`: s3rver with multipart objects kept as their parts. Reads, ranges, listings, copies,
// overwrites and deletes must behave as with any S3.
import { readdir, rm } from 'node:fs/promises'
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { BUCKET, localS3Client, startLocalS3, type LocalS3 } from './s3.ts'
import { tempDir } from './wait.ts'

let directory: string
let server: LocalS3
let s3: S3Client

beforeAll(async () => {
  directory = await tempDir('local-s3')
  server = await startLocalS3({
    host: '127.0.0.1',
    port: 0,
    directory,
    corsOrigins: ['http://127.0.0.1'],
  })
  s3 = localS3Client(server.endpoint)
})

afterAll(async () => {
  s3.destroy()
  await server.close()
  await rm(directory, { recursive: true, force: true })
})

/** A part's ETag: the first 128 bits of its SHA-256 (S3 takes its MD5; see s3-store.ts). */
const partTag = (data: Uint8Array) => createHash('sha256').update(data).digest().subarray(0, 16)

async function multipart(key: string, parts: Buffer[]) {
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ContentType: 'video/mp4' }),
  )
  const etags = []
  for (const [i, body] of parts.entries()) {
    const { ETag } = await s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: i + 1, Body: body }),
    )
    etags.push(ETag!)
  }
  return { UploadId: UploadId!, etags }
}

function complete(key: string, UploadId: string, etags: string[]) {
  return s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId,
      MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
    }),
  )
}

async function read(key: string, range?: string) {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: range }))
  return { bytes: Buffer.from(await object.Body!.transformToByteArray()), object }
}

const parts = [randomBytes(3000), randomBytes(3000), randomBytes(1234)]
const whole = Buffer.concat(parts)

describe('multipart objects on the local S3 server', () => {
  it('reads back whole and by ranges that cross parts, with ETags in S3’s multipart form', async () => {
    const { UploadId, etags } = await multipart('content/a/0', parts)
    expect(etags).toEqual(parts.map((part) => `"${partTag(part).toString('hex')}"`))
    const done = await complete('content/a/0', UploadId, etags)
    const etag = `"${createHash('md5')
      .update(Buffer.concat(parts.map(partTag)))
      .digest('hex')}-3"`
    expect(done.ETag).toBe(etag)

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'content/a/0' }))
    expect(head).toMatchObject({
      ContentLength: whole.length,
      ContentType: 'video/mp4',
      ETag: etag,
    })
    expect((await read('content/a/0')).bytes.equals(whole)).toBe(true)

    const across = await read('content/a/0', 'bytes=2990-6009')
    expect(across.bytes.equals(whole.subarray(2990, 6010))).toBe(true)
    expect(across.object.ContentRange).toBe(`bytes 2990-6009/${whole.length}`)
    const tail = await read('content/a/0', `bytes=${whole.length - 5}-`)
    expect(tail.bytes.equals(whole.subarray(-5))).toBe(true)
    await expect(read('content/a/0', `bytes=${whole.length}-`)).rejects.toMatchObject({
      name: 'InvalidRange',
    })

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'content/' }))
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([['content/a/0', whole.length]])
  })

  it('refuses a completion naming a part that was not stored as given, and keeps the upload', async () => {
    const { UploadId, etags } = await multipart('content/b/0', parts)
    await expect(
      complete('content/b/0', UploadId, [etags[0]!, etags[2]!, etags[1]!]),
    ).rejects.toMatchObject({ name: 'InvalidPart', $metadata: { httpStatusCode: 400 } })
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'content/b/0' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } })
    await complete('content/b/0', UploadId, etags)
    expect((await read('content/b/0')).bytes.equals(whole)).toBe(true)
  })

  it('copies, overwrites and deletes multipart objects without leaving parts behind', async () => {
    const { UploadId, etags } = await multipart('content/c/0', parts)
    await complete('content/c/0', UploadId, etags)

    await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'content/c/1',
        CopySource: `${BUCKET}/content/c/0`,
      }),
    )
    expect((await read('content/c/1')).bytes.equals(whole)).toBe(true)

    const small = randomBytes(10)
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'content/c/0', Body: small }))
    expect((await read('content/c/0')).bytes.equals(small)).toBe(true)
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'content/c/0' }))
    expect(head.ContentLength).toBe(10)

    const again = await multipart('content/c/0', parts)
    await complete('content/c/0', again.UploadId, again.etags)
    for (const key of ['content/c/0', 'content/c/1']) {
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }))
      await expect(read(key)).rejects.toMatchObject({ name: 'NoSuchKey' })
    }
    await expect(readdir(join(directory, BUCKET, 'content', 'c'))).rejects.toMatchObject({
      code: 'ENOENT',
    })
  })
})
