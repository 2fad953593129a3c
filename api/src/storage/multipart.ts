import { log } from '../lib/log.ts'
import { objectUrl, storageClient } from './s3.ts'

export interface MultipartUpload {
  key: string
  uploadId: string
  initiated: number
}

function tag(xml: string, name: string): string | null {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)
  return match ? match[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>') : null
}

/** Multipart uploads under `content/` started before `olderThan` (S3 ListMultipartUploads). */
export async function listStaleMultipartUploads(
  env: Env,
  olderThan: number,
): Promise<MultipartUpload[]> {
  const url = new URL(`${env.S3_ENDPOINT.replace(/\/$/, '')}/${env.S3_BUCKET}`)
  url.searchParams.set('uploads', '')
  url.searchParams.set('prefix', 'content/')
  const response = await storageClient(env, 0).fetch(url.toString())
  if (!response.ok) {
    log.warn('multipart_list_failed', { status: response.status })
    return []
  }
  const xml = await response.text()
  return [...xml.matchAll(/<Upload>([\s\S]*?)<\/Upload>/g)]
    .map((m) => ({
      key: tag(m[1]!, 'Key') ?? '',
      uploadId: tag(m[1]!, 'UploadId') ?? '',
      initiated: Date.parse(tag(m[1]!, 'Initiated') ?? ''),
    }))
    .filter((u) => u.key && u.uploadId && u.initiated < olderThan)
}

/** Aborts one upload; false when the store refused (s3rver, for one, answers 501). */
export async function abortMultipartUpload(env: Env, upload: MultipartUpload): Promise<boolean> {
  const url = objectUrl(env, upload.key)
  url.searchParams.set('uploadId', upload.uploadId)
  const response = await storageClient(env, 0).fetch(url.toString(), { method: 'DELETE' })
  if (!response.ok) log.warn('multipart_abort_failed', { key: upload.key, status: response.status })
  return response.ok
}
