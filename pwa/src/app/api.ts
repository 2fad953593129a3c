import { createClient } from '@tseeder/shared'
import { offlineAwareFetch } from './offline.ts'

/** The PWA's one client: same origin, session cookie, CSRF token kept from auth answers. */
export const api = createClient({
  baseUrl: '',
  auth: { type: 'cookie' },
  // Notes answers the service worker served from its cache, for the offline banner.
  fetch: offlineAwareFetch,
})
