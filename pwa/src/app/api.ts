import { createSameOriginClient } from '@tseeder/shared'
import { offlineAwareFetch } from './offline.ts'

/**
 * Fired when the server may have ended this browser's session (a 401 outside /api/auth, or the
 * event stream refused): the session provider then re-reads `/api/auth/me`, and a session that is
 * gone (revoked, user suspended) sends the app to the sign-in page.
 */
export const sessionChecks = new EventTarget()

export function requestSessionCheck(): void {
  sessionChecks.dispatchEvent(new Event('check'))
}

/**
 * The PWA's one client: same origin, session cookie, CSRF token kept from auth answers. Answers
 * are typed, not parsed (see pwa/README.md "First load"): zod stays off the first page.
 */
export const api = createSameOriginClient({
  baseUrl: '',
  auth: { type: 'cookie' },
  async fetch(request) {
    // Notes answers the service worker served from its cache, for the offline banner.
    const response = await offlineAwareFetch(request)
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/api/auth/')) {
      requestSessionCheck()
    }
    return response
  },
})
