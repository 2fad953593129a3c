// The local stand-in for R2: s3rver 3.7.1 in this process. `npm start` keeps its objects in a
// folder that survives restarts, and downloads redirect the browser to presigned URLs on it, so
// the bucket allows cross-origin GET/HEAD from the Worker's origin. Tests start a throwaway one.
import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'
import { PartsKeepingStore } from './s3-store.ts'
import { tempDir } from './wait.ts'

export const BUCKET = 'tseeder'

/**
 * s3rver 3.7.1 knows exactly one key pair and checks request signatures against it, so the local
 * S3 credentials are fixed; nothing but 127.0.0.1 can reach that server.
 */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

/** A CORS configuration letting pages on `origins` read objects (with Range) and their headers. */
export function corsXml(origins: string[]): string {
  const allowed = origins.map((o) => `<AllowedOrigin>${o}</AllowedOrigin>`).join('')
  const exposed = ['Content-Length', 'Content-Range', 'Content-Type', 'Content-Disposition', 'ETag']
    .map((h) => `<ExposeHeader>${h}</ExposeHeader>`)
    .join('')
  return (
    '<CORSConfiguration><CORSRule>' +
    allowed +
    '<AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>' +
    '<AllowedHeader>*</AllowedHeader>' +
    exposed +
    '<MaxAgeSeconds>3600</MaxAgeSeconds></CORSRule></CORSConfiguration>'
  )
}

/** s3rver 3.7.1 storing multipart objects as their parts ({@link PartsKeepingStore}). */
export function createS3rver(options: ConstructorParameters<typeof S3rver>[0]): S3rver {
  const server = new S3rver(options)
  server.store = server.context.store = new PartsKeepingStore(options.directory)
  return server
}

/** An S3 client for a local s3rver (path-style, its fixed key pair). */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  })
}

export interface LocalS3 {
  endpoint: string
  close(): Promise<void>
}

/**
 * Starts s3rver on `host:port` with `directory` as its store and the `tseeder` bucket created
 * (kept as is when it exists; its CORS rule is rewritten for the current origins).
 */
export async function startLocalS3(options: {
  host: string
  port: number
  directory: string
  corsOrigins: string[]
}): Promise<LocalS3> {
  mkdirSync(options.directory, { recursive: true })
  const server = createS3rver({
    address: options.host,
    port: options.port,
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: BUCKET, configs: [corsXml(options.corsOrigins)] }],
  })
  const { port } = await server.run()
  return {
    endpoint: `http://${options.host}:${port}`,
    close: () => server.close(),
  }
}

/** Reads stored objects back: their SHA-256 (streamed, so a 1 GiB object is fine) and type. */
export function objectReader(endpoint: string) {
  const s3 = localS3Client(endpoint)
  const get = (key: string) => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
  return {
    async objectSha256(key: string): Promise<string> {
      const hash = createHash('sha256')
      for await (const chunk of (await get(key)).Body as AsyncIterable<Uint8Array>)
        hash.update(chunk)
      return hash.digest('hex')
    },
    async objectType(key: string): Promise<string | undefined> {
      const object = await get(key)
      await object.Body!.transformToByteArray()
      return object.ContentType
    },
    destroy: () => s3.destroy(),
  }
}

/**
 * A throwaway s3rver on `port` (default: any free one) with the bucket configured; counts objects
 * created per key.
 */
export async function startS3({
  port: wanted = 0,
  parent,
}: {
  port?: number
  /** The folder to keep the objects under (default: the system's temporary folder). */
  parent?: string
} = {}) {
  const directory = parent ? await mkdtemp(join(parent, 'tseeder-s3-')) : await tempDir('s3')
  const server = createS3rver({
    port: wanted,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET }],
  })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  const created = new Map<string, number>()
  server.on(
    'event',
    (event: { Records: { eventName: string; s3: { object: { key: string } } }[] }) => {
      for (const record of event.Records) {
        if (!record.eventName.startsWith('ObjectCreated')) continue
        const key = decodeURIComponent(record.s3.object.key)
        created.set(key, (created.get(key) ?? 0) + 1)
      }
    },
  )
  const { destroy, ...reader } = objectReader(endpoint)
  return {
    endpoint,
    created,
    ...reader,
    async close() {
      destroy()
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
export type S3 = Awaited<ReturnType<typeof startS3>>
