// Host access the extension asks for at runtime: the server (at connect time) and, for
// .torrent files, the sites they come from (so the browser sends the user's cookies).
import { browser } from 'wxt/browser'

/** Every http(s) site: .torrent links and downloads can come from anywhere. */
const ALL_SITES = ['http://*/*', 'https://*/*']

function sitePermission(url: string): string {
  const { protocol, hostname } = new URL(url)
  return `${protocol}//${hostname}/*`
}

export function hasSiteAccess(url: string): Promise<boolean> {
  return browser.permissions.contains({ origins: [sitePermission(url)] })
}

export function hasAllSitesAccess(): Promise<boolean> {
  return browser.permissions.contains({ origins: ALL_SITES })
}

/** Must run in a user gesture (a click in an extension page). */
export function requestAllSitesAccess(): Promise<boolean> {
  return browser.permissions.request({ origins: ALL_SITES })
}
