// The browser extension, loaded into headless Chromium, against the whole local stack (one agent)
// and a real local swarm: connect, send from the context menu, catch a private tracker's
// .torrent download with its cookie and a magnet click, watch the popup live, get one
// notification per completion, and be told to reconnect once the token is revoked.
import { randomBytes } from 'node:crypto'
import type { CreatedToken, Job } from '@tseeder/shared'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  browserDownloads,
  buildExtensionForE2e,
  clickContextMenu,
  countStorageWrites,
  evaluateInContentScript,
  type ExtensionBrowser,
  fireAlarm,
  launchWithExtension,
  type RecordedNotification,
  recordedNotifications,
  recordNotifications,
  startTrackerSite,
  storageWrites,
  type TrackerSite,
} from '@tseeder/testkit/extension'
import { type Session, signUp } from '@tseeder/testkit/session'
import { type TestStack, startTestStack } from '@tseeder/testkit/test-stack'
import { buildTorrent, content, type TorrentFixture } from '@tseeder/testkit/fixtures'
import { startSwarm, type Swarm } from '@tseeder/testkit/swarm'

let stack: TestStack
let swarm: Swarm
let browser: ExtensionBrowser
let site: TrackerSite
let user: Session
let token: CreatedToken
const fixtures = {} as Record<'menu' | 'private' | 'click' | 'live', TorrentFixture>

beforeAll(async () => {
  const [startedStack, startedSwarm, extensionDir] = await Promise.all([
    // A torrent without metadata parks after 2 s (npm start's default is a minute).
    startTestStack(1, { agentEnv: { AGENT_PARK_AFTER_MS: '2000' } }),
    startSwarm(),
    buildExtensionForE2e(),
  ])
  stack = startedStack
  swarm = startedSwarm
  for (const key of ['menu', 'private', 'click'] as const) {
    fixtures[key] = buildTorrent({
      name: `ext-${key}`,
      announce: swarm.announce,
      files: [{ segments: [`${key}.bin`], data: content(200_000) }],
    })
    await swarm.seeder().seed(fixtures[key])
  }
  // Slow enough that the popup sees several progress updates before it completes.
  fixtures.live = buildTorrent({
    name: 'ext-live',
    announce: swarm.announce,
    files: [{ segments: ['live.bin'], data: content(3_000_000) }],
  })
  const slow = swarm.seeder()
  slow.throttle(250_000)
  await slow.seed(fixtures.live)

  site = await startTrackerSite(fixtures.private.torrent, 'ext-private', fixtures.click.magnet)
  user = await signUp(stack.url)
  token = await user.api.createToken({
    body: { name: 'Browser extension', scopes: ['jobs:read', 'jobs:write'] },
  })
  browser = await launchWithExtension(extensionDir)
  await recordNotifications(await browser.worker())
})

afterAll(async () => {
  await Promise.allSettled([browser?.close(), site?.close()])
  await Promise.allSettled([stack?.close(), swarm?.close()])
})

async function notifications(): Promise<RecordedNotification[]> {
  return recordedNotifications(await browser.worker())
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) {
      const shown = JSON.stringify(await notifications())
      throw new Error(`timed out waiting for ${what}; notifications shown: ${shown}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

async function jobWithInfohash(infohash: string): Promise<Job | undefined> {
  const { jobs } = await user.api.listJobs({ query: { limit: 100 } })
  return jobs.find((job) => job.infohash === infohash)
}

async function waitForCompleted(infohash: string): Promise<Job> {
  return until(
    `job ${infohash} to complete`,
    async () => {
      const job = await jobWithInfohash(infohash)
      if (job?.status === 'failed') throw new Error(`job ${job.name} failed: ${job.error?.message}`)
      return job?.status === 'completed' ? job : undefined
    },
    90_000,
  )
}

async function openExtensionPage(page: string): Promise<Page> {
  const tab = await browser.context.newPage()
  await tab.goto(browser.url(page))
  return tab
}

describe('the tseeder extension in Chromium', () => {
  it('opens its options page by itself on first install, where it is connected', async () => {
    const options = await until('the options page opened on install', async () =>
      browser.context.pages().find((page) => page.url().startsWith(browser.url('options.html'))),
    )
    await options.getByLabel('Server URL').waitFor()
    await options.close()
  })

  it('names what a read-only token cannot do, and connects to this computer over http', async () => {
    const options = await openExtensionPage('options.html')
    const readOnly = await user.api.createToken({
      body: { name: 'Read only', scopes: ['jobs:read'] },
    })
    // A bare address of this computer: shown as what it will connect to, with http.
    const bare = stack.url.replace(/^http:\/\//, '')
    await options.getByLabel('Server URL').fill(bare)
    await expect
      .poll(() => options.locator('#connect-preview').textContent())
      .toBe(`Connects to ${stack.url}`)
    await options.getByLabel('API token').fill(readOnly.token)
    await options.getByRole('button', { name: 'Connect' }).click()
    // The missing scopes are named in words, with the scopes to ask for.
    await expect
      .poll(() => options.locator('#connect-error').textContent(), { timeout: 20_000 })
      .toMatch(
        /^This token can see jobs and their progress, but not add, pause, resume, cancel and delete jobs;? or download files\. Create a token with jobs:read, jobs:write and files:read/,
      )
    await expect(options.getByTestId('account-email').count()).resolves.toBe(0)
    await options.close()
  })

  it('connects through the options page and shows the account and plan', async () => {
    const options = await openExtensionPage('options.html')
    await options.getByLabel('Server URL').fill('http://127.0.0.1:1')
    await options.getByLabel('API token').fill(token.token)
    await options.getByRole('button', { name: 'Connect' }).click()
    await expect
      .poll(() => options.getByRole('alert').textContent(), { timeout: 20_000 })
      .toMatch(/Could not reach http:\/\/127\.0\.0\.1:1/)

    await options.getByLabel('Server URL').fill(stack.url)
    expect(
      await options
        .getByRole('link', { name: 'Open tseeder to create a token' })
        .getAttribute('href'),
    ).toBe(`${stack.url}/settings/tokens`)
    await options.getByRole('button', { name: 'Connect' }).click()
    await expect.poll(() => options.getByTestId('account-email').textContent()).toBe(user.email)
    expect(await options.getByTestId('account-plan').textContent()).toBe('Free')
    await options.close()
  })

  it('sends a magnet from the "Send to tseeder" context menu and says so', async () => {
    await clickContextMenu(await browser.worker(), 'send-to-tseeder', fixtures.menu.magnet)
    const job = await until('the context-menu job', () => jobWithInfohash(fixtures.menu.infohash))
    await until('the "Sent" notification', async () =>
      (await notifications()).find(
        (n) => n.id.startsWith(`job:${job.id}:`) && n.message.startsWith('Sent: '),
      ),
    )
    await waitForCompleted(fixtures.menu.infohash)
  })

  it('catches a private tracker .torrent download and uploads it with the site\u2019s cookie', async () => {
    const options = await openExtensionPage('options.html')
    await options.getByLabel('Catch .torrent downloads').check()
    await expect.poll(() => options.getByLabel('Catch .torrent downloads').isChecked()).toBe(true)
    await options.close()

    const page = await browser.context.newPage()
    // Playwright takes downloads over by default; give them back to the browser, so the
    // extension's `downloads` listeners see them.
    const cdp = await browser.context.newCDPSession(page)
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'default' })
    await page.goto(site.pageUrl) // signs in: sets the session cookie
    await page.locator('#torrent').click()

    await until('the .torrent job', () => jobWithInfohash(fixtures.private.infohash))
    // The Free plan transfers two jobs at a time: a job sent now would wait in line.
    expect((await waitForCompleted(fixtures.private.infohash)).name).toBe('ext-private')
    // The site refused nothing: every request for the file, the extension's included, carried
    // the cookie (the browser's own download was cancelled, so the bytes came from the extension).
    expect(site.served.refused).toBe(0)
    expect(site.served.withCookie).toBeGreaterThanOrEqual(1)
    const downloads = await browserDownloads(await browser.worker())
    expect(downloads.filter((url) => url.endsWith('.torrent'))).toEqual([])
    await page.close()
  })

  it('sends the magnet link a person clicks, never one a page script clicks', async () => {
    const page = await browser.context.newPage()
    await page.goto(site.pageUrl)
    // The page clicks magnet links by itself: its own link and the site's, with `click()` and
    // with a dispatched event. None of these clicks is trusted, so none may reach tseeder.
    const forged = `magnet:?xt=urn:btih:${'f0'.repeat(20)}&dn=forged-by-page`
    const shownBefore = (await notifications()).length
    await page.evaluate((magnet) => {
      // The page also cancels the link's default action, last (bubbling, on window): headless
      // Chromium would otherwise ask to open an external app and ignore input while it asks.
      window.addEventListener('click', (event) => event.preventDefault())
      const link = document.createElement('a')
      link.href = magnet
      link.textContent = 'forged'
      document.body.append(link)
      link.click()
      link.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }))
      document.querySelector<HTMLAnchorElement>('#magnet')!.click()
    }, forged)
    // A caught click reaches the server in well under a second here.
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    expect(await jobWithInfohash('f0'.repeat(20))).toBeUndefined()
    expect(await jobWithInfohash(fixtures.click.infohash)).toBeUndefined()
    const sends = (await notifications())
      .slice(shownBefore)
      .filter((n) => ['Sent to tseeder', 'Already in tseeder', 'Not sent'].includes(n.title))
    expect(sends).toEqual([])

    await page.locator('#magnet').click()
    await until('the magnet click job', () => jobWithInfohash(fixtures.click.infohash))
    expect((await waitForCompleted(fixtures.click.infohash)).name).toBe('ext-click')
    await page.close()
  })

  it('keeps the API token out of reach of its content script in a web page', async () => {
    const page = await browser.context.newPage()
    await page.goto(site.pageUrl)
    const reach = await evaluateInContentScript(
      browser,
      page,
      `(async () => {
        const read = async (area) => {
          try {
            return JSON.stringify(await chrome.storage[area].get(null))
          } catch {
            return 'refused'
          }
        }
        return { local: await read('local'), session: await read('session') }
      })()`,
    )
    // Chrome closes local storage (token, account, job list) to content scripts; they see only
    // their copy of "Catch magnet link clicks".
    expect(reach).toEqual({ local: 'refused', session: '{"catchMagnetClicks":true}' })
    await page.close()

    // Where a browser leaves local storage open to content scripts (Firefox; Chrome before 140),
    // they would read what the extension's own page reads here: the token sealed, not the token.
    const options = await openExtensionPage('options.html')
    const local = String(
      await options.evaluate(
        '(async () => JSON.stringify(await chrome.storage.local.get(null)))()',
      ),
    )
    expect(local).toContain('"connection":"vault:v1:')
    expect(local).not.toContain(token.token)
    expect(local).not.toContain(token.token.slice(4, 24))
    expect(local).not.toContain(user.email)
    await options.close()
  })

  it('lists the jobs in the popup and follows a download live', async () => {
    const popup = await openExtensionPage('popup.html')
    const jobs = popup.getByRole('region', { name: 'Your jobs' })
    await expect.poll(() => jobs.getByRole('heading', { name: 'ext-menu' }).count()).toBe(1)
    await expect
      .poll(() => popup.getByText('Live', { exact: true }).count(), { timeout: 20_000 })
      .toBe(1)

    // A magnet that is already the user's job is said to be, not "Sent".
    await popup.getByLabel('Magnet link').fill(fixtures.menu.magnet)
    await popup.getByRole('button', { name: 'Send' }).click()
    await expect
      .poll(() => popup.locator('#send-status').textContent())
      .toBe('Already in your list: ext-menu')

    const live = await user.api.createJob({ body: { magnet: fixtures.live.magnet } })
    const bar = jobs.getByRole('progressbar', { name: 'Progress of ext-live' })
    await bar.waitFor({ timeout: 60_000 })
    const seen = new Set<number>()
    await until(
      'the popup to show the download progressing',
      async () => {
        const value = Number(await bar.getAttribute('aria-valuenow'))
        if (value > 0 && value < 100) seen.add(value)
        return seen.size >= 2 ? true : undefined
      },
      90_000,
    )
    await expect
      .poll(() => jobs.locator(`[data-status="completed"]`, { hasText: 'ext-live' }).count(), {
        timeout: 90_000,
      })
      .toBe(1)
    expect((await user.api.getJob({ params: { id: live.id } })).status).toBe('completed')
    await popup.close()

    // Reopened, the popup paints the cached list before any answer from the server. The time
    // read here is an upper bound (it includes the test's round trip to the page).
    const again = await openExtensionPage('popup.html')
    const firstJobAt = await again.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const check = () =>
            document.querySelector('.ts-job') ? resolve(performance.now()) : setTimeout(check, 5)
          check()
        }),
    )
    expect(firstJobAt).toBeLessThan(1000)
    // That list is kept sealed: a content script that could read local storage would not learn
    // what the account downloads.
    const local = String(
      await again.evaluate('(async () => JSON.stringify(await chrome.storage.local.get(null)))()'),
    )
    expect(local).toContain('"jobCache":"vault:v1:')
    expect(local).not.toContain('ext-live')
    await again.close()
  })

  it('says under a parked job why it waits and until when', async () => {
    const dead = `magnet:?xt=urn:btih:${randomBytes(20).toString('hex')}&dn=ext-dead`
    await user.api.createJob({ body: { magnet: dead } })
    const popup = await openExtensionPage('popup.html')
    const parked = popup
      .getByRole('region', { name: 'Your jobs' })
      .locator('[data-waiting="metadata"]', { hasText: 'ext-dead' })
    await parked.waitFor({ timeout: 60_000 })
    await expect(parked.innerText()).resolves.toMatch(
      /Fetching metadata — \d+[sm] · gives up at .*\d{1,2}:\d{2}/,
    )
    await popup.close()
  })

  it('announces each completion exactly once, however often it polls', async () => {
    const worker = await browser.worker()
    const { jobs } = await user.api.listJobs({ query: { limit: 100 } })
    const completed = jobs.filter((job) => job.status === 'completed')
    expect(completed.map((job) => job.name).sort()).toContain('ext-live')
    // Every poll writes the job cache, and polls run one after another.
    await countStorageWrites(worker, 'jobCache')
    for (let i = 0; i < 3; i++) {
      await fireAlarm(worker, 'tseeder:poll-jobs')
    }
    await until('a completion notification for every completed job', async () => {
      const done = (await notifications()).filter((n) => n.title === 'Download complete')
      return completed.every((job) => done.some((n) => n.message === job.name)) ? true : undefined
    })
    // A fourth poll has written the cache only once the three before it have finished.
    await fireAlarm(worker, 'tseeder:poll-jobs')
    await until('four polls to finish', async () =>
      (await storageWrites(worker, 'jobCache')) >= 4 ? true : undefined,
    )
    const done = (await notifications()).filter((n) => n.title === 'Download complete')
    for (const job of completed) {
      expect(done.filter((n) => n.id.startsWith(`job:${job.id}:`))).toHaveLength(1)
    }
  })

  it('asks to reconnect once the token is revoked', async () => {
    await user.api.revokeToken({ params: { id: token.id } })
    const popup = await openExtensionPage('popup.html')
    await expect
      .poll(() => popup.getByRole('alert').textContent(), { timeout: 20_000 })
      .toMatch(/no longer accepts this extension’s API token.*Reconnect/)
    await popup.getByRole('button', { name: 'Reconnect' }).waitFor()
    const options = await openExtensionPage('options.html')
    await expect.poll(() => options.getByRole('alert').first().textContent()).toMatch(/Reconnect/)
    await expect.poll(() => options.getByLabel('API token').count()).toBe(1)
  })
})
