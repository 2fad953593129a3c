/**
 * The share target's hand-off between the service worker (which receives the POST) and the add
 * page (which shows it). Cache Storage, because both sides have it and it holds files as-is.
 *
 *   storeSharedPayload(form: FormData): Promise<void>   // service worker, on POST /share
 *   takeSharedPayload(): Promise<SharedPayload | null>  // add page, once: it clears what it read
 */
import { findMagnetInText } from '@tseeder/shared/magnet'
import {
  SHARE_CACHE,
  SHARED_FILE_KEY,
  SHARED_NAME_HEADER,
  SHARED_TEXT_KEY,
  type SharedText,
} from './sw-contract.ts'

export interface SharedPayload extends SharedText {
  torrent: File | null
}

function field(form: FormData, name: string): string | null {
  const value = form.get(name)
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null
}

export async function storeSharedPayload(form: FormData): Promise<void> {
  const cache = await caches.open(SHARE_CACHE)
  // One share at a time: a new one replaces whatever was not picked up.
  await Promise.all([cache.delete(SHARED_TEXT_KEY), cache.delete(SHARED_FILE_KEY)])
  const text: SharedText = {
    title: field(form, 'title'),
    text: field(form, 'text'),
    url: field(form, 'url'),
  }
  await cache.put(SHARED_TEXT_KEY, Response.json(text))
  const file = form.get('torrent')
  if (file instanceof File && file.size > 0) {
    await cache.put(
      SHARED_FILE_KEY,
      new Response(file, {
        headers: {
          'content-type': file.type || 'application/x-bittorrent',
          [SHARED_NAME_HEADER]: encodeURIComponent(file.name || 'shared.torrent'),
        },
      }),
    )
  }
}

export async function takeSharedPayload(): Promise<SharedPayload | null> {
  if (typeof caches === 'undefined') return null
  const cache = await caches.open(SHARE_CACHE)
  const [textResponse, fileResponse] = await Promise.all([
    cache.match(SHARED_TEXT_KEY),
    cache.match(SHARED_FILE_KEY),
  ])
  if (!textResponse && !fileResponse) return null
  const text = (textResponse ? await textResponse.json() : {}) as Partial<SharedText>
  let torrent: File | null = null
  if (fileResponse) {
    const name = decodeURIComponent(
      fileResponse.headers.get(SHARED_NAME_HEADER) ?? 'shared.torrent',
    )
    const blob = await fileResponse.blob()
    torrent = new File([blob], name, { type: blob.type || 'application/x-bittorrent' })
  }
  await Promise.all([cache.delete(SHARED_TEXT_KEY), cache.delete(SHARED_FILE_KEY)])
  return { title: text.title ?? null, text: text.text ?? null, url: text.url ?? null, torrent }
}

/** The first magnet link in shared text (apps share "Title magnet:?…" or put it in `url`). */
export function findMagnet(payload: SharedText): string | null {
  for (const value of [payload.url, payload.text, payload.title]) {
    const magnet = findMagnetInText(value)
    if (magnet) return magnet
  }
  return null
}
