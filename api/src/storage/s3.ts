import { AwsClient } from 'aws4fetch'

/** Object keys never contain user-supplied names: content is addressed by hash and file index. */
export function contentKey(infohash: string, fileIndex: number): string {
  return `${contentPrefix(infohash)}${fileIndex}`
}

export function contentPrefix(infohash: string): string {
  return `content/${infohash}/`
}

/**
 * An S3 client for the configured store. aws4fetch retries 5xx answers ten times by default;
 * callers choose: reads retry a little, housekeeping not at all.
 */
export function storageClient(env: Env, retries = 2): AwsClient {
  return new AwsClient({
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    region: env.S3_REGION,
    service: 's3',
    retries,
  })
}

/** Path-style URL of an object (works for R2, s3rver, MinIO and AWS alike). */
export function objectUrl(env: Env, key: string): URL {
  const encoded = key.split('/').map(encodeURIComponent).join('/')
  return new URL(`${env.S3_ENDPOINT.replace(/\/$/, '')}/${env.S3_BUCKET}/${encoded}`)
}

/**
 * A presigned GET that lives `expiresIn` seconds, with the name and type the browser should see.
 * With `range` (a `Range` header value), the signature covers that header: S3 and R2 then serve
 * the URL only to a request sending exactly that Range, so a URL issued for the bytes charged
 * cannot fetch more of the object (the local S3 server does not check signatures).
 */
export async function presignGet(
  env: Env,
  key: string,
  options: { expiresIn: number; filename: string; contentType: string; range?: string | null },
): Promise<string> {
  const url = objectUrl(env, key)
  url.searchParams.set('X-Amz-Expires', String(options.expiresIn))
  url.searchParams.set('response-content-disposition', contentDisposition(options.filename))
  url.searchParams.set('response-content-type', options.contentType)
  const signed = await storageClient(env).sign(url.toString(), {
    method: 'GET',
    headers: options.range ? { range: options.range } : {},
    // aws4fetch leaves Range out of signatures unless asked to sign every header given.
    aws: { signQuery: true, allHeaders: true },
  })
  return signed.url
}

/** Streams an object, passing `Range` through. */
export function getObject(env: Env, key: string, range: string | null): Promise<Response> {
  return storageClient(env).fetch(objectUrl(env, key).toString(), {
    method: 'GET',
    headers: range ? { range } : {},
  })
}

export async function deleteObject(env: Env, key: string): Promise<void> {
  const response = await storageClient(env).fetch(objectUrl(env, key).toString(), {
    method: 'DELETE',
  })
  if (!response.ok && response.status !== 404) {
    throw new Error(`S3 DELETE ${key} answered ${response.status}`)
  }
}

/** `attachment` with an ASCII fallback and the RFC 5987 UTF-8 name. */
export function contentDisposition(
  filename: string,
  type: 'attachment' | 'inline' = 'attachment',
): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
