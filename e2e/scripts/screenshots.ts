// Screenshots of every main screen of the web app, at phone (390×844) and desktop (1280×800)
// sizes, into screenshots/ at the repository root (gitignored): the built PWA served by the local
// stack exactly as `npm start` serves it, with jobs from a real local swarm in every state a person
// meets (finished, downloading, paused, fetching metadata). The store listings and the manifest's
// install screenshots are made from these.
// Run: `npm run build -w @tseeder/pwa && npx tsx e2e/scripts/screenshots.ts [--out DIR]`
import { readdir, rm } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Page } from 'playwright-core'
import { type Client, type Job } from '@tseeder/shared'
import { demoFiles } from '../../scripts/lib/demo-files.ts'
import { ADMIN_TABS } from '../../pwa/src/screens/admin/tabs.ts'
import {
  browserClient,
  launchBrowser,
  saveScreens,
  waitForServiceWorkerControl,
} from '@tseeder/testkit/browser'
import { signIn } from '@tseeder/testkit/session'
import { startTestStack } from '@tseeder/testkit/test-stack'
import { buildTorrent, content, type FixtureFile } from '@tseeder/testkit/fixtures'
import { startSwarm } from '@tseeder/testkit/swarm'

const { values: args } = parseArgs({ options: { out: { type: 'string' } } })
const out = resolve(args.out ?? resolve(import.meta.dirname, '..', '..', 'screenshots'))
const person = { email: 'alex@example.com', password: 'a long and private passphrase' }

const stack = await startTestStack(1)
const swarm = await startSwarm()
const browser = await launchBrowser({ viewport: 'desktop' })
const page = browser.page
page.setDefaultTimeout(20_000)
const saved: string[] = []
const url = (path: string) => new URL(path, stack.url).href

/** Waits for the screen's data (no loading spinner left), then saves it at both sizes. */
async function capture(target: Page, name: string) {
  await target.locator('.state-loading').first().waitFor({ state: 'detached' })
  await target.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  saved.push(...(await saveScreens(target, out, name)))
}

async function waitForJob(api: Client, id: string, until: (job: Job) => boolean) {
  const deadline = Date.now() + 90_000
  for (;;) {
    const job = await api.getJob({ params: { id } })
    if (until(job)) return job
    if (Date.now() > deadline) throw new Error(`job ${job.name} is still ${job.status}`)
    await page.waitForTimeout(500)
  }
}

try {
  // The previous run's screens go; the test suite's own (screenshots/e2e/) stay.
  for (const file of await readdir(out).catch(() => [])) {
    if (file.endsWith('.png')) await rm(resolve(out, file))
  }
  /** A torrent on the local tracker whose magnet link carries its name, as real ones do. */
  const torrent = (name: string, files: FixtureFile[]) => {
    const built = buildTorrent({ name, announce: swarm.announce, files })
    return { ...built, name, magnet: `${built.magnet}&dn=${encodeURIComponent(name)}` }
  }
  const demo = torrent(
    'tseeder-demo',
    demoFiles().map((file) => ({ segments: file.path.split('/'), data: file.data })),
  )
  const film = torrent('Big Buck Bunny (2008) 1080p', [
    { segments: ['Big Buck Bunny (2008) 1080p.mp4'], data: content(24_000_000) },
    { segments: ['Subtitles', 'English.srt'], data: content(30_000) },
    { segments: ['poster.jpg'], data: content(120_000) },
  ])
  const album = torrent(
    'Creative Commons Jazz Sampler',
    Array.from({ length: 6 }, (_, i) => ({
      segments: [`${String(i + 1).padStart(2, '0')} - Track ${i + 1}.flac`],
      data: content(2_000_000),
    })),
  )
  await swarm.seeder().seed(demo)
  // Slow seeders keep these two mid-download while the screens are taken.
  const slowFilm = swarm.seeder()
  await slowFilm.seed(film)
  slowFilm.throttle(96 * 1024)
  const slowAlbum = swarm.seeder()
  await slowAlbum.seed(album)
  slowAlbum.throttle(64 * 1024)

  await page.goto(url('/signin'))
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await capture(page, 'signin')
  await page.getByRole('link', { name: 'Create an account' }).click()
  await page.getByLabel('Email').fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await capture(page, 'signup')
  await page.getByRole('button', { name: 'Create your account' }).click()
  await page.getByRole('heading', { name: 'Acceptable use policy' }).waitFor()
  await capture(page, 'aup')
  await page.getByRole('button', { name: 'I accept the policy' }).click()
  await page.getByRole('heading', { name: 'No jobs yet' }).waitFor()
  await capture(page, 'dashboard-empty')

  await page.goto(url('/add'))
  await page.getByRole('heading', { name: 'Add a torrent' }).waitFor()
  await capture(page, 'add')
  await page.getByLabel('Magnet link').fill('magnet:?xt=urn:btih:not-a-real-hash')
  await page.getByRole('button', { name: 'Add torrent' }).click()
  await page.locator('.field-error, .form-error').first().waitFor()
  await capture(page, 'add-error')

  // Oldest first: the dashboard lists the newest job at the top. Nobody seeds the first one, so
  // it stays on its metadata.
  const api = await browserClient(browser.context, stack.url)
  // Pro runs more jobs at once than Free, enough for one of each state.
  const admin = await signIn(stack.url, stack.admin!.email, stack.admin!.password)
  const { users } = await admin.api.adminListUsers({ query: { q: person.email } })
  await admin.api.adminUpdateUser({ params: { id: users[0]!.id }, body: { plan: 'pro' } })
  await api.createJob({
    body: {
      magnet: `magnet:?xt=urn:btih:${'5e'.repeat(20)}&dn=Open+Movie+Collection&tr=${encodeURIComponent(swarm.announce)}`,
    },
  })
  const paused = await api.createJob({ body: { magnet: album.magnet } })
  const finished = await api.createJob({ body: { magnet: demo.magnet } })
  const running = await api.createJob({ body: { magnet: film.magnet } })
  await waitForJob(api, finished.id, (job) => job.status === 'completed')
  await waitForJob(api, paused.id, (job) => job.status === 'downloading')
  await api.pauseJob({ params: { id: paused.id } })
  await waitForJob(api, running.id, (job) => job.status === 'downloading')

  await page.goto(url('/'))
  await page.getByText('Live', { exact: true }).waitFor()
  await page.getByRole('link', { name: film.name }).waitFor()
  await page.waitForFunction(
    (label) =>
      Number(document.querySelector(`[aria-label="${label}"]`)?.getAttribute('aria-valuenow')) > 2,
    `Progress of ${film.name}`,
  )
  await capture(page, 'dashboard')

  await page.getByRole('link', { name: 'tseeder-demo' }).click()
  await page.getByRole('button', { name: 'Play clip.mp4' }).click()
  const video = page.getByRole('region', { name: 'Playing clip.mp4' }).locator('video')
  await video.evaluate(
    (element: HTMLVideoElement) =>
      new Promise<void>((done) => {
        // A frame with the test pattern's clock on it, the same on every run.
        element.pause()
        element.addEventListener('seeked', () => done(), { once: true })
        element.currentTime = 1.5
      }),
  )
  // The native controls drop their buffering spinner a moment after the seek lands.
  await page.waitForFunction(
    () => document.querySelector('video')!.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA,
  )
  await page.waitForTimeout(400)
  await capture(page, 'job')

  await page.goto(url(`/jobs/${running.id}`))
  await page.getByRole('heading', { name: film.name, level: 1 }).waitFor()
  await page.getByRole('heading', { name: 'History' }).waitFor()
  await capture(page, 'job-downloading')

  await page.goto(url('/settings'))
  await page.getByRole('heading', { name: 'Plan and usage' }).waitFor()
  await capture(page, 'settings')
  await page.getByRole('link', { name: 'Devices' }).click()
  await page.getByRole('heading', { name: 'Signed-in devices' }).waitFor()
  await capture(page, 'settings-devices')
  await page.getByRole('link', { name: 'API tokens' }).click()
  await page.getByRole('heading', { name: 'API tokens', level: 2 }).waitFor()
  await capture(page, 'settings-tokens')

  await page.goto(url('/'))
  await waitForServiceWorkerControl(page)
  await page.getByRole('link', { name: film.name }).waitFor()
  await page.waitForFunction(async () => {
    const cache = await caches.open('tseeder-api-v1')
    return (await cache.keys()).some((request) => new URL(request.url).pathname === '/api/jobs')
  })
  await browser.context.setOffline(true)
  await page.reload()
  await page
    .getByRole('status')
    .filter({ hasText: /offline/i })
    .waitFor()
  await capture(page, 'dashboard-offline')
  await browser.context.setOffline(false)

  // The admin screens, as the first admin sees them.
  await page.goto(url('/'))
  await page.getByRole('button', { name: 'Sign out' }).first().click()
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await page.getByLabel('Email').fill(stack.admin!.email)
  await page.getByLabel('Password').fill(stack.admin!.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'I accept the policy' }).click()
  await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor()
  for (const [path, heading] of ADMIN_TABS) {
    await page.goto(url(`/admin/${path}`))
    await page.getByRole('heading', { name: heading, level: 2, exact: true }).waitFor()
    await capture(page, `admin-${path}`)
  }

  console.log(`${saved.length} screenshots in ${relative(process.cwd(), out) || '.'}/:`)
  for (const file of saved) console.log(`  ${relative(out, file)}`)
} catch (error) {
  console.error(`screenshots failed on ${page.url()}:`, error)
  process.exitCode = 1
} finally {
  await browser.close()
  await Promise.allSettled([stack.close(), swarm.close()])
}
