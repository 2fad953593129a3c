// The web app's jobs in real Chromium against the whole local stack and a real local swarm: a
// person adds a magnet and watches it (and each of its files) finish, downloads and plays the
// files, goes offline, shares a link and a .torrent into the app, sees why a job waits, cancels
// one, pastes several links at once and picks a .torrent too large. The steps run in order on one
// account; each screen is also saved at phone and desktop sizes in screenshots/e2e/ (gitignored).
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { STATUS_LABELS } from '@tseeder/shared'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { demoClip } from '../../scripts/lib/demo-files.ts'
import {
  browserClient,
  type BrowserSession,
  saveScreens,
  waitForServiceWorkerControl,
} from '@tseeder/testkit/browser'
import type { Swarm } from '@tseeder/testkit/swarm'
import type { TestStack } from '@tseeder/testkit/test-stack'
import { buildTorrent, content, sha256 } from '@tseeder/testkit/fixtures'
import { jobIdOf, mainNav as navOf, SCREENSHOTS, signUpInApp, usePwaApp } from './pwa-setup.ts'

const app = usePwaApp()
const person = { email: `pwa-jobs-${Date.now()}@example.com`, password: 'a long pwa password' }
let movie: ReturnType<typeof buildTorrent>
let movieJobId = ''

let page: Page
let browser: BrowserSession
let swarm: Swarm
let stack: TestStack
beforeAll(() => {
  ;({ page, browser, swarm, stack } = app)
})

const url = (path: string) => app.url(path)
const mainNav = () => navOf(page)

describe('the web app’s jobs in Chromium, against the local stack and swarm', () => {
  it('signs a person up and opens on their empty job list', async () => {
    await signUpInApp(app, person)
    movie = buildTorrent({
      name: 'e2e-pwa-movie',
      announce: swarm.announce,
      files: [
        { segments: ['clip.mp4'], data: demoClip() },
        { segments: ['extras', 'big.bin'], data: content(2_500_000) },
      ],
    })
  })

  it('adds a pasted magnet link and shows its progress moving live until it completes', async () => {
    const seeder = swarm.seeder()
    await seeder.seed(movie)
    // Slow enough that the agent's 2 s progress reports land mid-download, several per file.
    seeder.throttle(200 * 1024)

    await mainNav().getByRole('link', { name: 'Add' }).click()
    await page.getByRole('heading', { name: 'Add a torrent' }).waitFor()
    await saveScreens(page, SCREENSHOTS, 'add')
    await page.getByLabel('Magnet link').fill(`${movie.magnet}&dn=e2e-pwa-movie`)
    await page.getByRole('button', { name: 'Add torrent' }).click()
    await page.waitForURL(/\/jobs\/[^/]+$/)
    movieJobId = jobIdOf(page)
    await page.getByRole('heading', { name: 'e2e-pwa-movie', level: 1 }).waitFor()

    // Each file of the job page shows its own bytes as they arrive, before the job is done.
    const files = page.getByRole('region', { name: 'Files' })
    const fileBar = files.getByRole('progressbar', { name: /^Progress of .*big\.bin$/ })
    const fileSeen = new Set<number>()
    await expect
      .poll(
        async () => {
          // No bar until the file has bytes (it says "Pending" until then).
          const value = Number(
            await fileBar.getAttribute('aria-valuenow', { timeout: 500 }).catch(() => 0),
          )
          if (value > 0 && value < 100) fileSeen.add(value)
          return fileSeen.size
        },
        { timeout: 60_000, interval: 200 },
      )
      .toBeGreaterThanOrEqual(2)
    await expect(files.innerText()).resolves.toMatch(/\d+(\.\d)?% · [\d.]+ [kM]B of 2\.5 MB/)
    await saveScreens(page, SCREENSHOTS, 'job-files-downloading')

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
      // What needs the server cannot be clicked, and says why.
      const remove = page.getByRole('button', { name: 'Delete e2e-pwa-movie' })
      await expect(remove.isDisabled()).resolves.toBe(true)
      await expect(remove.getAttribute('title')).resolves.toBe('Needs a connection')
      await expect(banner.textContent()).resolves.toMatch(/Actions need a connection\./)
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

  it('says a job cancelled before its file list was known was cancelled, and offers what next', async () => {
    // The parked magnet of the step before: its page is open.
    await page.getByRole('heading', { name: 'e2e-pwa-dead', level: 1 }).waitFor()
    await page.getByRole('button', { name: 'Cancel e2e-pwa-dead' }).click()
    await page
      .getByRole('dialog', { name: 'Cancel “e2e-pwa-dead”?' })
      .getByRole('button', { name: 'Cancel download' })
      .click()
    await page.getByRole('heading', { name: 'This job was cancelled' }).waitFor()
    await page.getByRole('button', { name: 'Add it again' }).waitFor()
    await expect(page.getByText(/file list appears once/).count()).resolves.toBe(0)
    await saveScreens(page, SCREENSHOTS, 'job-cancelled')
    await page.getByRole('button', { name: 'Delete', exact: true }).click()
    await page
      .getByRole('dialog', { name: 'Delete “e2e-pwa-dead”?' })
      .getByRole('button', { name: 'Delete job' })
      .click()
    await page.waitForURL((target) => target.pathname === '/')
  })

  it('reports each pasted magnet link: added, already yours, or refused and why', async () => {
    const fresh = `magnet:?xt=urn:btih:${randomBytes(20).toString('hex')}&dn=e2e-pwa-pasted`
    const lines = [`${movie.magnet}&dn=e2e-pwa-movie`, fresh, 'magnet:?xt=urn:btih:1234']
    await page.goto(url('/add'))
    await page.getByLabel('Magnet link').fill(lines.join('\n'))
    await page.getByRole('button', { name: 'Add torrent' }).click()
    const report = page.getByRole('status', { name: '1 added, 1 already yours, 1 refused' })
    await report.waitFor()
    const outcomes = report.getByRole('listitem')
    await expect(outcomes.allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/^Already yours\s+e2e-pwa-movie$/),
      expect.stringMatching(/^Added\s+e2e-pwa-pasted$/),
      expect.stringMatching(/^Refused\s+magnet:\?xt=urn:btih:1234\s*\S/),
    ])
    await saveScreens(page, SCREENSHOTS, 'add-several')
    // The added one waits for a slot nobody needs: out of the way of the steps after this one.
    const api = await browserClient(browser.context, stack.url)
    const added = (await api.listJobs()).jobs.find((job) => job.name === 'e2e-pwa-pasted')!
    await api.deleteJob({ params: { id: added.id } })
  })

  it('refuses a .torrent too large for one as soon as it is picked, in the units shown elsewhere', async () => {
    const posted: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/jobs') posted.push(request.method())
    })
    await page.goto(url('/add'))
    await page.getByRole('heading', { name: 'Add a torrent' }).waitFor()
    await page.locator('input[type="file"]').setInputFiles({
      name: 'movie.mkv.torrent',
      mimeType: 'application/x-bittorrent',
      buffer: Buffer.alloc(6_000_000, 1),
    })
    await expect(page.locator('#torrent-error').innerText()).resolves.toBe(
      '"movie.mkv.torrent" is 6 MB; .torrent files can be at most 5 MB. Check that you picked a .torrent and not the download itself.',
    )
    await saveScreens(page, SCREENSHOTS, 'add-too-large')
    expect(posted.filter((method) => method === 'POST')).toEqual([])
  })
})
