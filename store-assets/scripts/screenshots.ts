// The store's 1280×800 screenshots, from the real UI against the local stack and a real local
// swarm: (1) the toolbar popup over a page with magnet links, (2) the options page connected,
// (3) the web app's dashboard with live jobs. Run: `npm run assets:screenshots`.
import { mkdir, readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { buildExtensionForE2e, launchWithExtension } from '@tseeder/testkit/extension'
import { session, signIn } from '@tseeder/testkit/session'
import { startTestStack } from '@tseeder/testkit/test-stack'
import { buildTorrent, content, type TorrentFixture } from '@tseeder/testkit/fixtures'
import { startSwarm } from '@tseeder/testkit/swarm'

const out = resolve(import.meta.dirname, '..', 'screenshots')
const SIZE = { width: 1280, height: 800 }
const NAMES = [
  'Big Buck Bunny (1080p, CC BY 3.0)',
  'Debian 13 netinst (amd64)',
  'Sintel — Open Movie (4K)',
  'Free Music Archive — Jazz Sampler',
]

const stack = await startTestStack(1)
const swarm = await startSwarm()
const browserDir = await buildExtensionForE2e()
const browser = await launchWithExtension(browserDir)
let site: ReturnType<typeof createServer> | null = null
try {
  await mkdir(out, { recursive: true })
  // Four downloads at once need more than the Free plan's two active jobs.
  const email = 'alex@example.com'
  const password = 'screenshots password 1'
  const user = session(stack.url)
  await user.api.register({ body: { email, password } })
  await user.api.acceptAup({ body: { accept: true } })
  const admin = await signIn(stack.url, stack.admin!.email, stack.admin!.password)
  const { user: me } = await user.api.me()
  await admin.api.adminUpdateUser({ params: { id: me.id }, body: { plan: 'pro' } })
  const token = await user.api.createToken({
    body: { name: 'Browser extension', scopes: ['jobs:read', 'jobs:write', 'files:read'] },
  })

  const fixtures: TorrentFixture[] = NAMES.map((name, i) =>
    buildTorrent({
      name,
      announce: swarm.announce,
      files: [{ segments: [`${i}.bin`], data: content(8_000_000 + i * 3_000_000) }],
    }),
  )
  // The first finishes at once; the others download slowly so they are live in the shots.
  await swarm.seeder().seed(fixtures[0]!)
  for (const [i, fixture] of fixtures.slice(1).entries()) {
    const seeder = swarm.seeder()
    seeder.throttle(120_000 + i * 60_000)
    await seeder.seed(fixture)
  }

  // A page with magnet links, like the ones the extension is for.
  site = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end(archivePage(fixtures))
  })
  await new Promise<void>((done) => site!.listen(0, '127.0.0.1', done))
  const siteUrl = `http://localhost:${(site.address() as AddressInfo).port}/`

  const page = async (url: string, size = SIZE): Promise<Page> => {
    const tab = await browser.context.newPage()
    await tab.setViewportSize(size)
    await tab.goto(url)
    return tab
  }

  const options = await page(browser.url('options.html'))
  await options.getByLabel('Server URL').fill(stack.url)
  await options.getByLabel('API token').fill(token.token)
  await options.getByRole('button', { name: 'Connect' }).click()
  await options.getByTestId('account-plan').waitFor()

  await user.api.createJob({ body: { magnet: fixtures[0]!.magnet } })
  await waitFor(async () => (await user.api.listJobs()).jobs[0]?.status === 'completed')
  for (const fixture of fixtures.slice(1))
    await user.api.createJob({ body: { magnet: fixture.magnet } })
  await waitFor(async () => {
    const { jobs } = await user.api.listJobs()
    return jobs.filter((job) => job.status === 'downloading' && job.progressPct > 5).length === 3
  })

  await options.screenshot({ path: join(out, '2-connect.png') })

  // A toolbar popup cannot be captured headless: the popup page at its own size, placed where
  // Chrome shows it, over the page it was opened on.
  const archive = await page(siteUrl)
  const pageShot = await archive.screenshot()
  const popup = await page(browser.url('popup.html'), { width: 380, height: 590 })
  await popup.locator('.ts-job').first().waitFor()
  await popup.waitForTimeout(2500)
  const popupShot = await popup.screenshot()
  const composed = await page('about:blank')
  await composed.setContent(
    `<style>body{margin:0;width:1280px;height:800px;position:relative;overflow:hidden}
      .page{position:absolute;inset:0;width:1280px}
      .popup{position:absolute;top:8px;right:16px;width:380px;border-radius:10px;
        box-shadow:0 12px 40px rgba(0,0,0,.35),0 0 0 1px rgba(0,0,0,.12)}</style>
     <img class="page" src="data:image/png;base64,${pageShot.toString('base64')}">
     <img class="popup" src="data:image/png;base64,${popupShot.toString('base64')}">`,
  )
  await composed.screenshot({ path: join(out, '1-popup.png') })

  const app = await page(`${stack.url}/signin`)
  await app.getByLabel('Email').fill(email)
  await app.getByLabel('Password').fill(password)
  await app.getByRole('button', { name: 'Sign in' }).click()
  await app.waitForURL(`${stack.url}/`)
  await app.locator('.ts-job').nth(3).waitFor()
  await app.waitForTimeout(2500)
  await app.screenshot({ path: join(out, '3-dashboard.png') })

  for (const file of ['1-popup.png', '2-connect.png', '3-dashboard.png']) {
    const png = await readFile(join(out, file))
    console.log(`store-assets/screenshots/${file}: ${png.readUInt32BE(16)}×${png.readUInt32BE(20)}`)
  }
} finally {
  await browser.close()
  site?.close()
  await swarm.close()
  await stack.close()
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out preparing the screenshots')
    await new Promise((done) => setTimeout(done, 500))
  }
}

function archivePage(fixtures: TorrentFixture[]): string {
  const rows = fixtures
    .map(
      (f, i) =>
        `<tr><td>${NAMES[i]}</td><td>${(f.files[0]!.data.length / 1e6).toFixed(0)} MB</td>
         <td><a href="${f.magnet.replace(/&/g, '&amp;')}">Magnet link</a></td></tr>`,
    )
    .join('')
  return `<!doctype html><title>Open Media Archive</title>
    <style>body{font:16px system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
      header{background:#263238;color:#fff;padding:18px 40px;font-size:22px;font-weight:700}
      main{padding:32px 40px;max-width:760px}table{border-collapse:collapse;width:100%;background:#fff}
      td,th{padding:14px 16px;border-bottom:1px solid #e3e6ea;text-align:left}
      a{color:#1f4fd6;text-decoration:none;font-weight:600}</style>
    <header>Open Media Archive</header>
    <main><h1 style="font-size:24px">Freely licensed releases</h1>
    <p>Public-domain and Creative Commons media, shared over BitTorrent.</p>
    <table><tr><th>Title</th><th>Size</th><th>Link</th></tr>${rows}</table></main>`
}
