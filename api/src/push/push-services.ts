/**
 * The push services this server delivers to. A subscription's endpoint is a URL the browser's
 * push service chose, but to the Worker it is only text a user posted: without this check, job
 * notifications would be an outbound request to any address a user names (127.0.0.1, a cloud
 * metadata service, someone else's server).
 */

/** Used when `PUSH_SERVICE_HOSTS` is unset: the push services of the major browsers. */
export const DEFAULT_PUSH_SERVICE_HOSTS = [
  'fcm.googleapis.com', // Chrome, Edge on Android, Opera, Samsung Internet
  'android.googleapis.com', // older Chrome subscriptions (GCM)
  'updates.push.services.mozilla.com', // Firefox
  'notify.windows.com', // Edge on Windows (wns2-*.notify.windows.com)
  'push.apple.com', // Safari (web.push.apple.com)
]

/**
 * The allowed hosts from a comma-separated list (the Worker var `PUSH_SERVICE_HOSTS`). Each entry
 * allows that host and its subdomains; a leading `*.` or `.` is accepted and means the same.
 */
export function pushServiceHosts(setting: string | undefined): string[] {
  const hosts = (setting ?? '')
    .split(',')
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\*?\./, ''),
    )
    .filter(Boolean)
  return hosts.length > 0 ? hosts : DEFAULT_PUSH_SERVICE_HOSTS
}

/**
 * True when `endpoint` is an https URL on the default port, without credentials, whose host is
 * one of `hosts` or a subdomain of one.
 */
export function isPushServiceEndpoint(endpoint: string, hosts: readonly string[]): boolean {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return false
  }
  if (url.protocol !== 'https:' || url.port !== '' || url.username || url.password) return false
  const host = url.hostname
  return hosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`))
}
