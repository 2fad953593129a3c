/**
 * Names the service worker and the page agree on. Kept free of imports so the service worker
 * bundle stays small.
 */

/** Network-first cache of the job list and job details (per user: cleared on sign-out). */
export const API_CACHE = 'tseeder-api-v1'

/** Set by the service worker on an API answer it served from `API_CACHE` (epoch ms). */
export const CACHED_AT_HEADER = 'x-tseeder-cached-at'

/** Stamped on answers as they are cached, so a later fallback knows how old it is. */
export const STORED_AT_HEADER = 'x-tseeder-stored-at'

/** Where the share target's POST parks its payload until `/add?shared=1` picks it up. */
export const SHARE_CACHE = 'tseeder-share-v1'
export const SHARED_TEXT_KEY = '/__shared/text'
export const SHARED_FILE_KEY = '/__shared/torrent'
/** Header on the stored file carrying its original (URI-encoded) name. */
export const SHARED_NAME_HEADER = 'x-tseeder-file-name'

/** The shared text fields, as `SHARED_TEXT_KEY` stores them. */
export interface SharedText {
  title: string | null
  text: string | null
  url: string | null
}
