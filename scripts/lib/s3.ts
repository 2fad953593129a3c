// The local stand-in for R2: s3rver 3.7.1 in this process, its objects in a folder that survives
// restarts. Downloads redirect the browser to presigned URLs on this server, so the bucket allows
// cross-origin GET/HEAD from the Worker's origin.
import { mkdirSync } from 'node:fs'
import S3rver from 's3rver'
import { PartsKeepingStore } from './s3-store.ts'

export const BUCKET = 'tseeder'

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
