/**
 * Whether the app is online, and how old the data on screen is when the service worker had to
 * answer from its cache.
 *
 *   useOffline(): OfflineState                 // { online: boolean; cachedAt: number | null }
 *   isStale(state): boolean                    // offline, or showing cached answers
 *   offlineAwareFetch(request): Promise<Response>  // the API client's fetch; records cache fallbacks
 *   clearApiCache(): Promise<void>             // drops the cached job data (sign-out)
 */
import { useSyncExternalStore } from 'react'
import { API_CACHE, CACHED_AT_HEADER } from './sw-contract.ts'

export interface OfflineState {
  online: boolean
  /** When the cached answer now on screen was fetched (epoch ms), or null for live data. */
  cachedAt: number | null
  /** When the browser went offline (epoch ms): live data on screen stopped there. */
  offlineSince: number | null
}

let state: OfflineState = {
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  cachedAt: null,
  offlineSince: null,
}
const listeners = new Set<() => void>()

function set(next: Partial<OfflineState>) {
  const merged = { ...state, ...next }
  if (
    merged.online === state.online &&
    merged.cachedAt === state.cachedAt &&
    merged.offlineSince === state.offlineSince
  ) {
    return
  }
  state = merged
  for (const listener of listeners) listener()
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => set({ online: true, offlineSince: null }))
  window.addEventListener('offline', () =>
    set({ online: false, offlineSince: state.offlineSince ?? Date.now() }),
  )
}

/** Notes what one API answer says about freshness: cached (with its age) or straight from the network. */
function recordResponse(response: Response): void {
  const cachedAt = Number(response.headers.get(CACHED_AT_HEADER))
  if (cachedAt > 0) set({ cachedAt: Math.min(cachedAt, state.cachedAt ?? cachedAt) })
  else set({ cachedAt: null, online: true, offlineSince: null })
}

/** `fetch` for the API client: same request, plus {@link recordResponse}. */
export async function offlineAwareFetch(request: Request): Promise<Response> {
  const response = await fetch(request)
  recordResponse(response)
  return response
}

/** The current state (outside React). */
function getOfflineState(): OfflineState {
  return state
}

function subscribeOffline(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/**
 * True when what is on screen is not live: the browser is offline, or the server could not be
 * reached and the service worker answered from its cache (the browser may still say "online").
 */
export function isStale(offline: OfflineState): boolean {
  return !offline.online || offline.cachedAt !== null
}

/** Online or not, and the age of cached data on screen; re-renders on change. */
export function useOffline(): OfflineState {
  return useSyncExternalStore(subscribeOffline, getOfflineState, getOfflineState)
}

/** Forgets the cached job data, so the next person on this device never sees it offline. */
export async function clearApiCache(): Promise<void> {
  if (typeof caches === 'undefined') return
  await caches.delete(API_CACHE)
}
