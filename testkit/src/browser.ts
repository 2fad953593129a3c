// Real Chromium (/usr/bin/chromium through playwright-core) for the web app's end-to-end tests
// and screenshots: the house flags, a fresh profile per launch, the two screen sizes the app is
// designed for, and the DevTools-protocol tricks headless testing needs (service workers, push).
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Client, createClient } from '@tseeder/shared'
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core'

/** The flags every tseeder browser test runs Chromium with (see STACK.md, "Client side"). */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** The phone the app is designed for first, and the desktop it scales up to. */
export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const
export type ViewportName = keyof typeof VIEWPORTS

export interface BrowserSession {
  context: BrowserContext
  /** The profile's first tab. */
  page: Page
  /** Uncaught exceptions thrown by the app's pages, in order. */
  pageErrors: string[]
  /** Closes Chromium and deletes its profile. */
  close(): Promise<void>
}

/**
 * Chromium with a profile of its own (a real, persistent one: service workers, Cache Storage,
 * notifications and push behave as in a person's browser, unlike an incognito context).
 */
export async function launchBrowser(
  options: { viewport?: ViewportName; downloadsPath?: string } = {},
): Promise<BrowserSession> {
  const profile = await mkdtemp(join(tmpdir(), 'tseeder-chromium-'))
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      viewport: VIEWPORTS[options.viewport ?? 'phone'],
      acceptDownloads: true,
      ...(options.downloadsPath ? { downloadsPath: options.downloadsPath } : {}),
    })
  } catch (error) {
    await rm(profile, { recursive: true, force: true })
    throw error
  }
  const pageErrors: string[] = []
  const watch = (page: Page) => page.on('pageerror', (error) => pageErrors.push(String(error)))
  context.pages().forEach(watch)
  context.on('page', watch)
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    pageErrors,
    async close() {
      await context.close().catch(() => undefined)
      await rm(profile, { recursive: true, force: true })
    },
  }
}

/**
 * The typed client over the browser profile's own cookies, so a script can set up data (jobs,
 * pauses) as the person signed in in that browser, without going through screens.
 */
export async function browserClient(context: BrowserContext, baseUrl: string): Promise<Client> {
  const api = createClient({
    baseUrl,
    auth: { type: 'cookie' },
    fetch: async (request) => {
      const headers: Record<string, string> = {}
      request.headers.forEach((value, name) => (headers[name] = value))
      const answer = await context.request.fetch(request.url, {
        method: request.method,
        headers,
        data: request.body ? Buffer.from(await request.arrayBuffer()) : undefined,
        maxRedirects: 0,
      })
      return new Response(answer.status() === 204 ? null : new Uint8Array(await answer.body()), {
        status: answer.status(),
        headers: answer.headersArray().map(({ name, value }) => [name, value] as [string, string]),
      })
    },
  })
  await api.me() // its answer carries the session's CSRF token, which the client keeps
  return api
}

/**
 * Waits until the app's service worker is active and controls `page`. The very first load of a
 * site is never controlled (the worker installs during it), so this reloads once when needed.
 */
export async function waitForServiceWorkerControl(page: Page, timeoutMs = 20_000): Promise<void> {
  await page.evaluate(
    (ms) =>
      Promise.race([
        navigator.serviceWorker.ready,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('no service worker became active')), ms),
        ),
      ]),
    timeoutMs,
  )
  if (await page.evaluate(() => navigator.serviceWorker.controller !== null)) return
  await page.reload()
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
    timeout: timeoutMs,
  })
}

/**
 * The DevTools-protocol id of the service worker registration for `page`'s origin, read from
 * `ServiceWorker.workerRegistrationUpdated` (sent for every known registration on `enable`).
 */
export async function serviceWorkerRegistrationId(cdp: CDPSession, origin: string) {
  const scope = `${origin}/`
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no service worker registration for ${scope}`)),
      10_000,
    )
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const found = registrations.find((r) => r.scopeURL === scope && !r.isDeleted)
      if (!found) return
      clearTimeout(timer)
      resolve(found.registrationId)
    })
    cdp.send('ServiceWorker.enable').catch(reject)
  })
}

/**
 * Hands `data` to the service worker's `push` handler as if a push service had delivered it.
 * There is no push service on this machine, so the message skips the network leg (the server's
 * RFC 8291 encryption is tested on its own); everything from the `push` event on is real.
 */
export async function deliverPushMessage(page: Page, data: unknown): Promise<void> {
  const origin = new URL(page.url()).origin
  const cdp = await page.context().newCDPSession(page)
  try {
    const registrationId = await serviceWorkerRegistrationId(cdp, origin)
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin,
      registrationId,
      data: JSON.stringify(data),
    })
  } finally {
    await cdp.detach().catch(() => undefined)
  }
}

/** The notifications the app's service worker currently shows. */
export function shownNotifications(page: Page) {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready
    const notifications = await registration.getNotifications()
    return notifications.map((n) => ({
      title: n.title,
      body: n.body,
      icon: n.icon,
      tag: n.tag,
      data: n.data as unknown,
    }))
  })
}

/**
 * Saves what `page` shows at phone and desktop sizes as `<dir>/<name>-phone.png` and
 * `<dir>/<name>-desktop.png`, then puts the page back at its own size.
 */
export async function saveScreens(page: Page, dir: string, name: string): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  const original = page.viewportSize()
  const saved: string[] = []
  try {
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(viewport)
      await settle(page)
      const path = join(dir, `${name}-${size}.png`)
      await page.screenshot({ path, animations: 'disabled', caret: 'hide' })
      saved.push(path)
    }
  } finally {
    if (original) await page.setViewportSize(original)
  }
  return saved
}

/** Lets a resize's layout, fonts and images finish before a screenshot. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready
    await Promise.all(
      Array.from(document.images)
        .filter((image) => !image.complete)
        .map(
          (image) =>
            new Promise((resolve) => {
              image.addEventListener('load', resolve)
              image.addEventListener('error', resolve)
            }),
        ),
    )
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
  })
}
