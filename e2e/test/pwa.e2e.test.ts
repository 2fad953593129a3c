// The web app in real Chromium against the whole local stack and a real local swarm: a person
// signs up, adds a magnet, watches it finish, downloads and plays the files, goes offline, shares
// a link and a .torrent into the app, gets a push notification, and is suspended by an admin. The
// steps run in order on one account; each screen is also saved at phone and desktop sizes in
// screenshots/e2e/ (gitignored).
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { STATUS_LABELS } from '@tseeder/shared'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { demoClip } from '../../scripts/lib/demo-files.ts'
import {
  browserClient,
  type BrowserSession,
  deliverPushMessage,
  launchBrowser,
  saveScreens,
  shownNotifications,
  waitForServiceWorkerControl,
} from '@tseeder/testkit/browser'
import { type TestStack, startTestStack } from '@tseeder/testkit/test-stack'
import { buildTorrent, content, sha256 } from '@tseeder/testkit/fixtures'
import { startSwarm, type Swarm } from '@tseeder/testkit/swarm'

const SCREENSHOTS = resolve(import.meta.dirname, '..', '..', 'screenshots', 'e2e')

let stack: TestStack
let swarm: Swarm
let browser: BrowserSession
let page: Page

const person = { email: `pwa-${Date.now()}@example.com`, password: 'a long pwa password' }
let movie: ReturnType<typeof buildTorrent>
let movieJobId = ''

beforeAll(async () => {
  ;[stack, swarm, browser] = await Promise.all([
    // One transfer slot, so a second job waits in line; a torrent without metadata parks soon.
    startTestStack(1, { agentEnv: { AGENT_MAX_JOBS: '1', AGENT_PARK_AFTER_MS: '3000' } }),
    startSwarm(),
    launchBrowser({ viewport: 'phone' }),
  ])
  page = browser.page
  page.setDefaultTimeout(15_000)
  movie = buildTorrent({
    name: 'e2e-pwa-movie',
    announce: swarm.announce,
    files: [
      { segments: ['clip.mp4'], data: demoClip() },
      { segments: ['extras', 'big.bin'], data: content(2_500_000) },
    ],
  })
})

// A failed step is explained by what the app, the Worker and the agent were doing at the time.
beforeEach(({ onTestFailed }) => {
  onTestFailed(async () => {
    console.error(`page: ${page.url()}\n${(await page.locator('body').innerText()).slice(0, 2000)}`)
    for (const log of ['worker', 'local-agent-1'])
      console.error(`--- ${log}\n${stack.logTail(log)}`)
  })
})

// An uncaught exception in the app fails the step it happened in, even when the screen looked right.
afterEach(() => {
  expect(browser.pageErrors.splice(0)).toEqual([])
})

afterAll(async () => {
  await browser?.close()
  await Promise.allSettled([stack?.close(), swarm?.close()])
})

const url = (path: string) => new URL(path, stack.url).href

/**
 * What a phone's share sheet does with an installed app: a multipart POST navigation to the
 * manifest's share_target, which only the service worker answers.
 */
async function shareToApp(
  fields: Record<string, string>,
  file?: { name: string; mimeType: string; buffer: Buffer },
) {
  await page.evaluate((values) => {
    const form = document.createElement('form')
    form.method = 'post'
    form.enctype = 'multipart/form-data'
    form.action = '/share'
    for (const [name, value] of Object.entries(values)) {
      const input = document.createElement('input')
      input.type = 'hidden'
      input.name = name
      input.value = value
      form.append(input)
    }
    const picker = document.createElement('input')
    picker.type = 'file'
    picker.name = 'torrent'
    picker.id = 'e2e-share-file'
    form.append(picker)
    document.body.append(form)
  }, fields)
  if (file) await page.locator('#e2e-share-file').setInputFiles(file)
  await Promise.all([
    page.waitForURL((target) => target.pathname === '/add'),
    page.evaluate(() => document.querySelector<HTMLFormElement>('form[action="/share"]')!.submit()),
  ])
}

const mainNav = () => page.getByRole('navigation', { name: 'Main' })

describe('the tseeder web app in Chromium, against the local stack and swarm', () => {
  it('signs a new person up, makes them accept the policy, then shows an empty job list', async () => {
    await page.goto(url('/'))
    await page.waitForURL(/\/signin\?next=%2F$/)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await saveScreens(page, SCREENSHOTS, 'signin')

    await page.getByRole('link', { name: 'Create an account' }).click()
    await page.getByRole('heading', { name: 'Create your account' }).waitFor()
    await page.getByLabel('Email').fill(person.email)
    await page.getByLabel('Password').fill(person.password)
    await saveScreens(page, SCREENSHOTS, 'signup')
    await page.getByRole('button', { name: 'Create your account' }).click()

    await page.getByRole('heading', { name: 'Acceptable use policy' }).waitFor()
    await expect(page.getByRole('region', { name: 'Policy text' }).textContent()).resolves.toMatch(
      /Not allowed/,
    )
    await saveScreens(page, SCREENSHOTS, 'aup')
    await page.getByRole('button', { name: 'I accept the policy' }).click()

    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor()
    await page.getByRole('heading', { name: 'No jobs yet' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
    await saveScreens(page, SCREENSHOTS, 'dashboard-empty')
  })

  it('adds a pasted magnet link and shows its progress moving live until it completes', async () => {
    const seeder = swarm.seeder()
    await seeder.seed(movie)
    // Slow enough that the agent's 2 s progress reports land mid-download.
    seeder.throttle(320 * 1024)

    await mainNav().getByRole('link', { name: 'Add' }).click()
    await page.getByRole('heading', { name: 'Add a torrent' }).waitFor()
    await saveScreens(page, SCREENSHOTS, 'add')
    await page.getByLabel('Magnet link').fill(`${movie.magnet}&dn=e2e-pwa-movie`)
    await page.getByRole('button', { name: 'Add torrent' }).click()
    await page.waitForURL(/\/jobs\/[^/]+$/)
    movieJobId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!)
    await page.getByRole('heading', { name: 'e2e-pwa-movie', level: 1 }).waitFor()

    await mainNav().getByRole('link', { name: 'Jobs' }).click()
    const card = page.getByRole('list', { name: 'Your jobs' }).getByRole('listitem')
    await expect.poll(() => card.count()).toBe(1)
    const bar = card.getByRole('progressbar', { name: 'Progress of e2e-pwa-movie' })
    await page.getByText('Live', { exact: true }).waitFor()

    // Every value the bar shows, without reloading: the event stream alone moves it.
    const seen: number[] = []
    let screenshotTaken = false
    const deadline = Date.now() + 60_000
    for (;;) {
      const value = Number(await bar.getAttribute('aria-valuenow'))
      if (seen.at(-1) !== value) seen.push(value)
      const partial = seen.filter((v) => v > 0 && v < 100)
      if (partial.length > 0 && !screenshotTaken) {
        await saveScreens(page, SCREENSHOTS, 'dashboard-downloading')
        screenshotTaken = true
      }
      if (partial.length >= 2 || (partial.length === 1 && value === 100)) break
      if (Date.now() > deadline) throw new Error(`progress never moved: ${seen.join(' → ')}`)
      await page.waitForTimeout(100)
    }
    expect(seen, seen.join(' → ')).toEqual([...seen].sort((a, b) => a - b))
    seeder.throttle(-1) // what matters now is that it finishes

    await card.getByText(STATUS_LABELS.completed, { exact: true }).waitFor({ timeout: 60_000 })
    await expect.poll(() => bar.getAttribute('aria-valuenow')).toBe('100')
    await expect(card.textContent()).resolves.toContain('100%')
    await saveScreens(page, SCREENSHOTS, 'dashboard')
  })

  it('downloads a finished file with the seeded bytes and plays the video in the page', async () => {
    await page.getByRole('link', { name: 'e2e-pwa-movie' }).click()
    await page.getByRole('heading', { name: 'e2e-pwa-movie', level: 1 }).waitFor()
    const files = page.getByRole('region', { name: 'Files' })
    await files.getByRole('button', { name: 'Download big.bin' }).waitFor()

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      files.getByRole('button', { name: 'Download big.bin' }).click(),
    ])
    expect(download.suggestedFilename()).toBe('big.bin')
    expect(sha256(await readFile(await download.path()))).toBe(movie.sha256[1])

    await files.getByRole('button', { name: 'Play clip.mp4' }).click()
    const player = page.getByRole('region', { name: 'Playing clip.mp4' })
    await player.waitFor()
    const video = player.locator('video')
    await video.evaluate(
      (element: HTMLVideoElement) =>
        new Promise<void>((done, fail) => {
          if (element.readyState >= HTMLMediaElement.HAVE_METADATA) return done()
          element.addEventListener('loadedmetadata', () => done())
          element.addEventListener('error', () =>
            fail(new Error(`media error ${element.error?.code}`)),
          )
        }),
    )
    const duration = await video.evaluate((element: HTMLVideoElement) => element.duration)
    expect(duration).toBeGreaterThan(3.5)
    expect(duration).toBeLessThan(4.5)
    await saveScreens(page, SCREENSHOTS, 'job')
    await player.getByRole('button', { name: 'Close player' }).click()
  })

  it('opens offline on the last-known jobs with a banner saying how old they are', async () => {
    // The page has been the same document since sign-up; only a reload puts it under the worker.
    await page.goto(url('/'))
    await waitForServiceWorkerControl(page)
    await page.getByRole('link', { name: 'e2e-pwa-movie' }).click()
    await page.getByRole('heading', { name: 'e2e-pwa-movie', level: 1 }).waitFor()
    await page.getByRole('button', { name: 'Download big.bin' }).waitFor()
    await mainNav().getByRole('link', { name: 'Jobs' }).click()
    await page.getByRole('link', { name: 'e2e-pwa-movie' }).waitFor()
    await page.waitForFunction(
      async (id) => {
        const cache = await caches.open('tseeder-api-v1')
        const paths = (await cache.keys()).map((request) => new URL(request.url).pathname)
        return paths.includes('/api/jobs') && paths.includes(`/api/jobs/${id}`)
      },
      movieJobId,
      { polling: 200 },
    )

    await browser.context.setOffline(true)
    try {
      await page.reload()
      await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor()
      await page.getByRole('link', { name: 'e2e-pwa-movie' }).waitFor()
      const banner = page.getByRole('status').filter({ hasText: /offline/i })
      await expect(banner.textContent()).resolves.toMatch(
        /Offline — showing data from .*\d{1,2}:\d{2}/,
      )
      await saveScreens(page, SCREENSHOTS, 'dashboard-offline')

      await page.getByRole('link', { name: 'e2e-pwa-movie' }).click()
      await page.getByRole('heading', { name: 'e2e-pwa-movie', level: 1 }).waitFor()
      await page.getByText('clip.mp4').waitFor()
      await expect(banner.isVisible()).resolves.toBe(true)
    } finally {
      await browser.context.setOffline(false)
    }

    await page.goto(url('/'))
    await page.getByRole('link', { name: 'e2e-pwa-movie' }).waitFor()
    await page.getByText('Live', { exact: true }).waitFor()
    await expect(
      page
        .getByRole('status')
        .filter({ hasText: /offline/i })
        .count(),
    ).resolves.toBe(0)
  })

  it('is installable: Chromium finds a complete manifest and no installability errors', async () => {
    const cdp = await browser.context.newCDPSession(page)
    try {
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors')
      expect(installabilityErrors).toEqual([])
      const { url: manifestUrl, errors, data } = await cdp.send('Page.getAppManifest')
      expect(errors).toEqual([])
      expect(manifestUrl).toBe(url('/manifest.webmanifest'))
      const manifest = JSON.parse(data!) as Record<string, unknown>
      expect(manifest).toMatchObject({
        name: 'tseeder',
        display: 'standalone',
        start_url: '/',
        share_target: { action: '/share', method: 'POST', enctype: 'multipart/form-data' },
        protocol_handlers: [{ protocol: 'magnet', url: '/add?magnet=%s' }],
      })
      const icons = manifest.icons as { sizes: string; purpose?: string }[]
      expect(icons.map((icon) => icon.sizes)).toEqual(
        expect.arrayContaining(['192x192', '512x512']),
      )
      expect(icons.some((icon) => icon.purpose === 'maskable')).toBe(true)
    } finally {
      await cdp.detach()
    }
  })

  it('opens magnet links handed over by the protocol handler on a pre-filled add page', async () => {
    const magnet = `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=handed+over`
    await page.goto(url(`/add?magnet=${encodeURIComponent(magnet)}`))
    await page.getByRole('heading', { name: 'Add a torrent' }).waitFor()
    await expect(page.getByLabel('Magnet link').inputValue()).resolves.toBe(magnet)
  })

  it('takes a magnet link or a .torrent shared from another app and creates the job', async () => {
    const shared = buildTorrent({
      name: 'e2e-pwa-shared',
      announce: swarm.announce,
      files: [{ segments: ['notes.txt'], data: content(40_000) }],
    })
    await swarm.seeder().seed(shared)

    // A link shared as text ("<title> magnet:?…"), the way chat and browser apps share.
    await page.goto(url('/'))
    await waitForServiceWorkerControl(page)
    const link = `${shared.magnet}&dn=e2e-pwa-shared`
    await shareToApp({ title: 'A torrent', text: `Have a look: ${link}` })
    await page.getByText('Shared with tseeder — check it and add it.').waitFor()
    await expect(page.getByLabel('Magnet link').inputValue()).resolves.toBe(link)

    // A .torrent file shared from a file manager.
    await page.goto(url('/'))
    await shareToApp(
      { title: 'From a file manager' },
      {
        name: 'e2e-pwa-shared.torrent',
        mimeType: 'application/x-bittorrent',
        buffer: shared.torrent,
      },
    )
    await page.getByText('Shared with tseeder — check it and add it.').waitFor()
    await page.getByRole('button', { name: 'Remove e2e-pwa-shared.torrent' }).waitFor()
    await saveScreens(page, SCREENSHOTS, 'add-shared')
    await page.getByRole('button', { name: 'Add torrent' }).click()

    await page.waitForURL(/\/jobs\/[^/]+$/)
    await page.getByRole('heading', { name: 'e2e-pwa-shared', level: 1 }).waitFor()
    await page
      .getByRole('region', { name: 'Status' })
      .getByText(STATUS_LABELS.completed, { exact: true })
      .waitFor({ timeout: 60_000 })
    await page.getByRole('button', { name: 'Download notes.txt' }).waitFor()
  })

  it('says in words why a job waits: in line for a busy agent, then parked without metadata', async () => {
    // The agent's one transfer slot goes to a healthy download held at a steady trickle.
    const slow = buildTorrent({
      name: 'e2e-pwa-slow',
      announce: swarm.announce,
      files: [{ segments: ['slow.bin'], data: content(3_000_000) }],
    })
    const seeder = swarm.seeder()
    await seeder.seed(slow)
    seeder.throttle(100_000)
    const api = await browserClient(browser.context, stack.url)
    const blocker = await api.createJob({ body: { magnet: slow.magnet } })
    await expect
      .poll(async () => api.getJob({ params: { id: blocker.id } }), { timeout: 30_000 })
      .toMatchObject({ status: 'downloading', waiting: null })

    // A magnet nobody seeds waits in line behind it.
    const dead = `magnet:?xt=urn:btih:${randomBytes(20).toString('hex')}&dn=e2e-pwa-dead`
    await page.goto(url(`/add?magnet=${encodeURIComponent(dead)}`))
    await page.getByRole('button', { name: 'Add torrent' }).click()
    await page.getByRole('heading', { name: 'e2e-pwa-dead', level: 1 }).waitFor()
    const deadId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!)
    const status = page.getByRole('region', { name: 'Status' })
    const inLine = 'In line — 1st · starts as soon as an agent is free'
    await status.locator('[data-waiting="in_line"]').getByText(inLine).waitFor()
    const details = status.getByRole('list', { name: 'Waiting details' })
    await expect(details.getByRole('listitem').allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/^Place in line\s*1st$/),
      expect.stringMatching(/^Waiting since\s*\S/),
      expect.stringMatching(/^Gives up at\s*\S/),
    ])
    await saveScreens(page, SCREENSHOTS, 'job-in-line')

    await mainNav().getByRole('link', { name: 'Jobs' }).click()
    const row = page
      .getByRole('list', { name: 'Your jobs' })
      .getByRole('listitem')
      .filter({ has: page.getByRole('link', { name: 'e2e-pwa-dead' }) })
    await row.locator('[data-waiting="in_line"]').getByText(inLine).waitFor()
    await saveScreens(page, SCREENSHOTS, 'dashboard-in-line')

    // Once the slot is free, the dead magnet takes it, finds no metadata and parks, saying until when.
    seeder.throttle(-1)
    const parked = row.locator('[data-waiting="metadata"]')
    await parked.waitFor({ timeout: 60_000 })
    // The time it gives up is the agent's: the metadata timeout (10 min) after it began looking.
    const { waiting } = await api.getJob({ params: { id: deadId } })
    expect(waiting).toMatchObject({ reason: 'metadata', until: expect.any(String) })
    expect(Date.parse(waiting!.until!) - Date.parse(waiting!.since)).toBe(10 * 60_000)
    const givesUpAt = await page.evaluate(
      (until) => new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(new Date(until)),
      waiting!.until!,
    )
    await expect(parked.getByText(/^Fetching metadata — /).innerText()).resolves.toMatch(
      new RegExp(`^Fetching metadata — \\d+[sm] · gives up at ${givesUpAt}$`),
    )
    await saveScreens(page, SCREENSHOTS, 'dashboard-parked')
    await row.getByRole('link', { name: 'e2e-pwa-dead' }).click()
    await status
      .locator('[data-waiting="metadata"]')
      .getByText(/^Fetching metadata — /)
      .waitFor()
    await expect(details.getByRole('listitem').allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/^Waiting since\s*.*\d{1,2}:\d{2}/),
      expect.stringMatching(/^Gives up at\s*.*\d{1,2}:\d{2}/),
    ])
    await expect
      .poll(async () => (await api.getJob({ params: { id: blocker.id } })).status)
      .toBe('completed')
  })

  it('shows a notification when a push for a finished job arrives', async () => {
    await browser.context.grantPermissions(['notifications'], { origin: stack.url })
    await page.goto(url('/settings'))
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
    await page.getByRole('heading', { name: 'Notifications' }).waitFor()
    await saveScreens(page, SCREENSHOTS, 'settings')

    // The payload notify.ts encrypts for a finished job, as the service worker decrypts it.
    await deliverPushMessage(page, {
      type: 'job',
      jobId: movieJobId,
      name: 'e2e-pwa-movie',
      status: 'completed',
      title: 'e2e-pwa-movie finished',
      body: 'Your files are ready.',
      url: `/jobs/${movieJobId}`,
    })
    await expect
      .poll(() => shownNotifications(page), { timeout: 10_000 })
      .toContainEqual({
        title: 'e2e-pwa-movie finished',
        body: 'Your files are ready.',
        icon: url('/icons/icon-192.png'),
        tag: movieJobId,
        data: { url: `/jobs/${movieJobId}` },
      })
  })

  it('lets an admin suspend the person, which signs them out of the app', async () => {
    const admin = await launchBrowser({ viewport: 'desktop' })
    try {
      const desk = admin.page
      desk.setDefaultTimeout(15_000)
      await desk.goto(url('/signin'))
      await desk.getByLabel('Email').fill(stack.admin!.email)
      await desk.getByLabel('Password').fill(stack.admin!.password)
      await desk.getByRole('button', { name: 'Sign in' }).click()
      // The first admin is created by the launcher and has not seen the policy yet.
      await desk.getByRole('button', { name: 'I accept the policy' }).click()
      await desk.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor()

      await desk
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Admin' })
        .click()
      await desk.getByRole('heading', { name: 'Users', exact: true }).waitFor()
      await desk.getByLabel('Search by email').fill(person.email)
      await desk.getByRole('button', { name: 'Search', exact: true }).click()
      const row = desk.getByRole('row').filter({ hasText: person.email })
      await expect.poll(() => row.count()).toBe(1)
      await saveScreens(desk, SCREENSHOTS, 'admin-users')

      await row.getByRole('button', { name: `Suspend ${person.email}` }).click()
      const dialog = desk.getByRole('dialog', { name: `Suspend ${person.email}?` })
      await dialog.getByRole('button', { name: 'Suspend' }).click()
      await row.getByText('Suspended', { exact: true }).waitFor()
      expect(admin.pageErrors).toEqual([])
    } finally {
      await admin.close()
    }

    // The person's app was open on their settings: it notices on its own, no reload.
    await page.waitForURL(/\/signin/, { timeout: 20_000 })
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()

    await page.getByLabel('Email').fill(person.email)
    await page.getByLabel('Password').fill(person.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('This account is suspended. Contact the administrator.').waitFor()
  })
})
