/// <reference lib="webworker" />
/**
 * The service worker: precached shell (offline start), network-first job data with the time it
 * was fetched, the share target, and push notifications.
 *
 * Never cached: auth answers (/api/auth/*), signed links (/api/files/*\/link), downloads (/dl/*),
 * event streams, and anything not listed in `CACHED_API` below.
 */
import '@tseeder/shared/jitless'
import { JobPushMessage } from '@tseeder/shared/schemas/push'
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
} from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { NetworkFirst } from 'workbox-strategies'
import { storeSharedPayload } from './app/share-target.ts'
import { API_CACHE, CACHED_AT_HEADER, STORED_AT_HEADER } from './app/sw-contract.ts'

declare const self: ServiceWorkerGlobalScope

precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()

// Every in-app URL opens the shell; the server's own paths never do.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api\//, /^\/dl\//, /^\/internal\//, /^\/share$/],
  }),
)

/** The job list, one job, one job's files: what the app shows offline. */
const CACHED_API = [/^\/api\/jobs$/, /^\/api\/jobs\/[^/]+$/, /^\/api\/jobs\/[^/]+\/files$/]

registerRoute(
  ({ url, request, sameOrigin }) =>
    sameOrigin &&
    request.method === 'GET' &&
    CACHED_API.some((pattern) => pattern.test(url.pathname)),
  new NetworkFirst({
    cacheName: API_CACHE,
    plugins: [
      {
        // Stamp the time as the answer is stored, so a fallback can say how old it is.
        cacheWillUpdate: async ({ response }) => {
          if (response.status !== 200) return null
          const headers = new Headers(response.headers)
          headers.set(STORED_AT_HEADER, String(Date.now()))
          return new Response(await response.blob(), {
            status: response.status,
            statusText: response.statusText,
            headers,
          })
        },
        cachedResponseWillBeUsed: async ({ cachedResponse }) => {
          if (!cachedResponse) return null
          const headers = new Headers(cachedResponse.headers)
          headers.set(CACHED_AT_HEADER, headers.get(STORED_AT_HEADER) ?? String(Date.now()))
          return new Response(cachedResponse.body, {
            status: cachedResponse.status,
            statusText: cachedResponse.statusText,
            headers,
          })
        },
      },
    ],
  }),
)

// Share target (manifest `share_target`): park the payload, then open the add page on it.
registerRoute(
  ({ url, request }) => url.pathname === '/share' && request.method === 'POST',
  async ({ request }) => {
    try {
      await storeSharedPayload(await request.formData())
    } catch (error) {
      console.warn('Could not keep what was shared', error)
    }
    return Response.redirect('/add?shared=1', 303)
  },
  'POST',
)

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting()
})

self.addEventListener('push', (event) => {
  const parsed = (() => {
    try {
      return JobPushMessage.safeParse(event.data?.json())
    } catch {
      return null
    }
  })()
  if (!parsed?.success) return
  const message = parsed.data
  event.waitUntil(
    self.registration.showNotification(message.title, {
      body: message.body,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      tag: message.jobId,
      data: { url: message.url },
    }),
  )
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const target = new URL(
    (event.notification.data as { url?: string } | null)?.url ?? '/',
    self.location.origin,
  )
  // Only this app's pages: a notification must not become a way to open another site.
  const url = target.origin === self.location.origin ? target.href : self.location.origin + '/'
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
      const client = windows.find((candidate) => candidate.url.startsWith(self.location.origin))
      if (client) {
        await client.focus()
        await client.navigate(url).catch(() => undefined)
        return
      }
      await self.clients.openWindow(url)
    })(),
  )
})
