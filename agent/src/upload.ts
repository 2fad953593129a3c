import { createReadStream } from 'node:fs'
import { type Readable, Transform, pipeline } from 'node:stream'
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { agentProtocol, type StorageGrant } from '@tseeder/shared'
import type { ApiClient } from './api-client.ts'
import { crc32 } from './crc32.ts'

const MIN_PART_BYTES = 8 * 1024 * 1024
const MAX_PARTS = 10_000
/** Renew a grant this long before it expires, so no request is signed with a dying key. */
const REFRESH_MARGIN_MS = 2 * 60_000

/**
 * A job's storage grant, renewed through the API (`POST /internal/jobs/credentials`) shortly
 * before it expires. The S3 client asks for credentials through {@link provider}.
 */
export class GrantSource {
  private refreshing: Promise<StorageGrant> | null = null
  constructor(
    private grant: StorageGrant,
    private readonly jobId: string,
    private readonly api: ApiClient,
  ) {}

  get current(): StorageGrant {
    return this.grant
  }

  async fresh(): Promise<StorageGrant> {
    const expiresAt = Date.parse(this.grant.credentials.expiresAt)
    if (expiresAt - Date.now() > REFRESH_MARGIN_MS) return this.grant
    this.refreshing ??= this.api
      .call(agentProtocol.credentials, { jobId: this.jobId })
      .finally(() => {
        this.refreshing = null
      })
    this.grant = await this.refreshing
    return this.grant
  }

  readonly provider = async () => {
    const { credentials } = await this.fresh()
    return {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
      expiration: new Date(Date.parse(credentials.expiresAt) - REFRESH_MARGIN_MS / 2),
    }
  }
}

/** An S3 client for one job's grant (path-style, as R2 and local servers expect). */
export function createS3Client(grants: GrantSource): S3Client {
  const { endpoint, region } = grants.current
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: grants.provider,
    maxAttempts: 5,
    // Integrity is checked by BitTorrent piece hashes and a HeadObject size check; a CRC of every
    // part on top costs a core at 100 MB/s for nothing.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  // Nor does the SigV4 signature need a SHA-256 of every part body (1.1 s of CPU per GiB,
  // profiled): the transport (TLS to R2) protects the bytes, and S3 and R2 accept unsigned
  // payloads. The request itself stays signed.
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> }
      if (request.headers) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD'
      return next(args)
    },
    { step: 'build', name: 'unsignedPayload' },
  )
  return client
}

/** Object key for a file: the grant's prefix (`content/<infohash>/`) and the file index. */
export function objectKey(grant: StorageGrant, fileIndex: number): string {
  return `${grant.prefix}${fileIndex}`
}

export class UploadVerificationError extends Error {
  override readonly name = 'UploadVerificationError'
}

/** Parts of at least 8 MiB, larger when a file would need more than S3's 10,000 parts. */
export function partSizeFor(size: number): number {
  return Math.max(MIN_PART_BYTES, Math.ceil(size / MAX_PARTS))
}

/** Throws unless storage holds `key` with exactly `size` bytes (the check after every upload). */
export async function verifyStoredSize(
  s3: S3Client,
  bucket: string,
  key: string,
  size: number,
): Promise<void> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
  if (head.ContentLength !== size) {
    throw new UploadVerificationError(
      `stored size ${head.ContentLength} differs from expected ${size}`,
    )
  }
}

export interface UploadFileOptions {
  s3: S3Client
  bucket: string
  key: string
  body: Readable | Uint8Array
  size: number
  contentType: string
  signal?: AbortSignal
  onProgress?: (loaded: number) => void
}

/** A pass-through that keeps the CRC-32 of every byte that went through it. */
function crcTap(): Transform & { crc: number } {
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      tap.crc = crc32(chunk, tap.crc)
      callback(null, chunk)
    },
  }) as Transform & { crc: number }
  tap.crc = 0
  return tap
}

/**
 * Multipart upload (parts ≥ 8 MiB, at most 4 in flight) followed by a HeadObject check that the
 * stored size is the expected one. Resolves to the CRC-32 of the bytes sent.
 */
export async function uploadFile(options: UploadFileOptions): Promise<number> {
  let body: Readable | Uint8Array = options.body
  let crcOf = () => crc32(options.body as Uint8Array)
  if (!(options.body instanceof Uint8Array)) {
    const tap = crcTap()
    // Either side failing or being destroyed (an aborted upload) ends both.
    body = pipeline(options.body, tap, () => {})
    crcOf = () => tap.crc
  }
  const upload = new Upload({
    client: options.s3,
    params: {
      Bucket: options.bucket,
      Key: options.key,
      Body: body,
      ContentType: options.contentType,
    },
    partSize: partSizeFor(options.size),
    queueSize: 4,
    leavePartsOnError: false,
  })
  if (options.onProgress) {
    upload.on('httpUploadProgress', (p) => options.onProgress!(p.loaded ?? 0))
  }
  const abort = () => void upload.abort().catch(() => {})
  options.signal?.addEventListener('abort', abort, { once: true })
  try {
    await upload.done()
  } finally {
    options.signal?.removeEventListener('abort', abort)
  }
  await verifyStoredSize(options.s3, options.bucket, options.key, options.size)
  return crcOf()
}

/** The CRC-32 of a file on disk, or undefined when it cannot be read. */
export async function crc32OfFile(path: string): Promise<number | undefined> {
  try {
    let crc = 0
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
      crc = crc32(chunk as Buffer, crc)
    }
    return crc
  } catch {
    return undefined
  }
}

/** True when the object already exists with the expected size (a previous run uploaded it). */
export async function alreadyUploaded(
  s3: S3Client,
  bucket: string,
  key: string,
  size: number,
): Promise<boolean> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    return head.ContentLength === size
  } catch {
    return false
  }
}
