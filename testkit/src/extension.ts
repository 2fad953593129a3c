// The browser extension under test: built from source, loaded into headless Chromium with a fresh
// profile, plus a stand-in for a private tracker's site (its .torrent files need a session cookie).
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core'
import { CHROMIUM_ARGS } from './browser.ts'

const extensionDir = resolve(import.meta.dirname, '..', '..', 'extension')

/**
 * Headless Chromium shows permission prompts nobody can answer, so the test build has the
 * optional origins granted at install (wxt.config.ts, `TSEEDER_E2E_HOST_PERMISSIONS`). The
 * extension still calls `permissions.request` on Connect; it resolves at once.
 */
export const E2E_HOST_PERMISSIONS = ['http://*/*', 'https://*/*']

/** Builds the Chrome MV3 extension for the test into `extension/.output/e2e/chrome-mv3`. */
export async function buildExtensionForE2e(): Promise<string> {
  await promisify(execFile)('npx', ['wxt', 'build', '-b', 'chrome'], {
    cwd: extensionDir,
    env: { ...process.env, TSEEDER_E2E_HOST_PERMISSIONS: E2E_HOST_PERMISSIONS.join(',') },
  })
  return join(extensionDir, '.output', 'e2e', 'chrome-mv3')
}

export interface ExtensionBrowser {
  context: BrowserContext
  extensionId: string
  /** The extension's service worker (looked up again if Chrome restarted it). */
  worker(): Promise<Worker>
  url(page: string): string
  close(): Promise<void>
}

export async function launchWithExtension(dir: string): Promise<ExtensionBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'tseeder-e2e-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: false, // CHROMIUM_ARGS has --headless=new: the old headless mode cannot load extensions
    args: [...CHROMIUM_ARGS, `--disable-extensions-except=${dir}`, `--load-extension=${dir}`],
  })
  const worker = async () =>
    context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ??
    (await context.waitForEvent('serviceworker', { timeout: 20_000 }))
  const extensionId = new URL((await worker()).url()).host
  return {
    context,
    extensionId,
    worker,
    url: (page) => `chrome-extension://${extensionId}/${page}`,
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}

export interface TrackerSite {
  origin: string
  /** The page that signs the visitor in (sets the cookie) and links to the .torrent. */
  pageUrl: string
  torrentPath: string
  /** Requests for the .torrent, with or without the session cookie. */
  served: { withCookie: number; refused: number }
  close(): Promise<void>
}

/**
 * A private tracker's site on `localhost` (a different site from the stack's 127.0.0.1): `/`
 * sets a session cookie and links to a .torrent and a magnet; the .torrent answers 403
 * without that cookie.
 */
export async function startTrackerSite(
  torrent: Buffer,
  name: string,
  magnet: string,
): Promise<TrackerSite> {
  const session = randomUUID()
  const torrentPath = `/private/${encodeURIComponent(name)}.torrent`
  const served = { withCookie: 0, refused: 0 }
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (url.pathname === '/') {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'set-cookie': `tracker_session=${session}; Path=/; HttpOnly`,
      })
      response.end(
        `<!doctype html><title>Tracker</title><h1>${name}</h1>` +
          `<p><a id="torrent" href="${torrentPath}">Download .torrent</a></p>` +
          `<p><a id="magnet" href="${magnet.replace(/&/g, '&amp;')}">Magnet link</a></p>`,
      )
      return
    }
    if (url.pathname === torrentPath) {
      if (!(request.headers.cookie ?? '').includes(`tracker_session=${session}`)) {
        served.refused++
        response.writeHead(403, { 'content-type': 'text/plain' }).end('Sign in first')
        return
      }
      served.withCookie++
      response.writeHead(200, {
        'content-type': 'application/x-bittorrent',
        'content-disposition': `attachment; filename="${name}.torrent"`,
      })
      response.end(torrent)
      return
    }
    response.writeHead(404).end()
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`
  return {
    origin,
    pageUrl: `${origin}/`,
    torrentPath,
    served,
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
}

/** The slice of the `chrome` API the test calls inside the extension's service worker. */
interface WorkerScope {
  chrome: {
    contextMenus: { onClicked: { dispatch(info: object, tab?: object): void } }
    alarms: { onAlarm: { dispatch(alarm: object): void } }
    notifications: { create(id: string, options: { title: string; message: string }): unknown }
    downloads: { search(query: object): Promise<{ url: string }[]> }
    storage: {
      onChanged: {
        addListener(listener: (changes: Record<string, unknown>, area: string) => void): void
      }
    }
  }
  __notifications?: RecordedNotification[]
  __storageWrites?: Record<string, number>
}

export interface RecordedNotification {
  id: string
  title: string
  message: string
}

/**
 * Context menus cannot be clicked headless: fires the menu's `onClicked` event in the worker,
 * as Chrome would after a right-click on `linkUrl`.
 */
export async function clickContextMenu(worker: Worker, menuItemId: string, linkUrl: string) {
  await worker.evaluate(
    ([id, url]) => {
      const { chrome } = globalThis as unknown as WorkerScope
      chrome.contextMenus.onClicked.dispatch(
        { menuItemId: id, linkUrl: url, pageUrl: 'http://localhost/', editable: false },
        undefined,
      )
    },
    [menuItemId, linkUrl] as const,
  )
}

/** Fires an alarm now instead of waiting for its period. */
export async function fireAlarm(worker: Worker, name: string) {
  await worker.evaluate((alarmName) => {
    const { chrome } = globalThis as unknown as WorkerScope
    chrome.alarms.onAlarm.dispatch({
      name: alarmName,
      scheduledTime: Date.now(),
      periodInMinutes: 0.5,
    })
  }, name)
}

/** Wraps `chrome.notifications.create` in the worker so the test sees every notification. */
export async function recordNotifications(worker: Worker) {
  await worker.evaluate(() => {
    const scope = globalThis as unknown as WorkerScope
    if (scope.__notifications) return
    const recorded: RecordedNotification[] = (scope.__notifications = [])
    const notifications = scope.chrome.notifications
    const create = notifications.create.bind(notifications)
    notifications.create = (id, options) => {
      recorded.push({ id, title: options.title, message: options.message })
      return create(id, options)
    }
  })
}

export async function recordedNotifications(worker: Worker): Promise<RecordedNotification[]> {
  return worker.evaluate(() => (globalThis as unknown as WorkerScope).__notifications ?? [])
}

/** URLs of the downloads the browser still lists. */
export async function browserDownloads(worker: Worker): Promise<string[]> {
  return worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as WorkerScope
    return (await chrome.downloads.search({})).map((item) => item.url)
  })
}

/** From now on, counts the changes the extension makes to `key` in `chrome.storage.local`. */
export async function countStorageWrites(worker: Worker, key: string) {
  await worker.evaluate((name) => {
    const scope = globalThis as unknown as WorkerScope
    const counts = (scope.__storageWrites ??= {})
    if (name in counts) return
    counts[name] = 0
    scope.chrome.storage.onChanged.addListener((changes, area) => {
      if (area === 'local' && name in changes) counts[name]! += 1
    })
  }, key)
}

/** How many changes to `key` the extension made since {@link countStorageWrites}. */
export async function storageWrites(worker: Worker, key: string): Promise<number> {
  return worker.evaluate(
    (name) => (globalThis as unknown as WorkerScope).__storageWrites?.[name] ?? 0,
    key,
  )
}

/**
 * Evaluates `expression` where the extension's content script runs in `page` (its isolated
 * world), to see what a content script may reach. Playwright has no handle on isolated worlds;
 * the DevTools protocol lists them.
 */
export async function evaluateInContentScript(
  browser: ExtensionBrowser,
  page: Page,
  expression: string,
): Promise<unknown> {
  const cdp = await browser.context.newCDPSession(page)
  const worlds: { id: number; name: string; origin: string; auxData?: { type?: string } }[] = []
  cdp.on('Runtime.executionContextCreated', ({ context }) => worlds.push(context))
  await cdp.send('Runtime.enable') // reports the contexts that already exist
  const world = worlds.find(
    (context) =>
      context.auxData?.type === 'isolated' &&
      (context.origin.includes(browser.extensionId) || context.name === 'tseeder'),
  )
  if (!world) throw new Error(`no content script world in ${page.url()}: ${JSON.stringify(worlds)}`)
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
    expression,
    contextId: world.id,
    awaitPromise: true,
    returnByValue: true,
  })
  await cdp.detach()
  if (exceptionDetails) throw new Error(`content script world threw: ${exceptionDetails.text}`)
  return result.value
}
