// Renders the manifest's install screenshots (public/screenshots/narrow.png 390×844 and
// wide.png 1280×800) from the built app under `vite preview`, with the API answered by fixed
// sample data so the pictures are the same on every machine. Run after `npm run build`:
//   npx tsx scripts/screenshots.ts
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium, type Route } from 'playwright-core'
import { preview } from 'vite'
import { CHROMIUM_ARGS } from '@tseeder/testkit/browser'

const root = fileURLToPath(new URL('..', import.meta.url))
const out = fileURLToPath(new URL('../public/screenshots/', import.meta.url))
const now = Date.parse('2026-01-15T10:00:00.000Z')
const iso = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString()

const me = {
  user: {
    id: 'u1',
    email: 'alex@example.com',
    role: 'user',
    plan: 'pro',
    suspended: false,
    aupAcceptedAt: iso(9000),
    createdAt: iso(9000),
  },
  csrfToken: 'sample',
  plan: {
    id: 'pro',
    name: 'Pro',
    maxActiveJobs: 10,
    maxQueuedJobs: 50,
    maxQueueWaitSeconds: 259_200,
    priority: 10,
    storageBytes: 500e9,
    maxFileBytes: 50e9,
    bandwidthBytesPerMonth: 2e12,
    retentionDays: 30,
    maxSessions: 10,
  },
  usage: {
    storageBytes: 41e9,
    bandwidthBytes: 120e9,
    bandwidthPeriod: '2026-01',
    activeJobs: 2,
    transfers: 2,
  },
}

function job(id: number, name: string, status: string, pct: number, total: number, extra = {}) {
  return {
    id: `job-${id}`,
    infohash: String(id).repeat(40).slice(0, 40),
    name,
    status,
    progressPct: pct,
    bytesDownloaded: Math.round((total * pct) / 100),
    bytesTotal: total,
    downloadSpeed: status === 'downloading' ? 8_400_000 : 0,
    uploadSpeed: 0,
    eta: status === 'downloading' ? Math.round((((100 - pct) / 100) * total) / 8_400_000) : null,
    peers: status === 'downloading' ? 38 : 0,
    seeds: status === 'downloading' ? 112 : 0,
    selectedFiles: null,
    awaitingFiles: false,
    queuePosition: null,
    waiting: null,
    createdAt: iso(id * 17),
    updatedAt: iso(id),
    ...(status === 'completed' ? { completedAt: iso(id) } : {}),
    ...extra,
  }
}

const jobs = [
  job(1, 'Big Buck Bunny (2008) 4K', 'downloading', 62.4, 4_600_000_000),
  job(2, 'ubuntu-24.04.1-desktop-amd64.iso', 'downloading', 18.9, 6_100_000_000),
  job(3, 'Sintel — Blender Open Movie', 'completed', 100, 1_250_000_000),
  job(4, 'Creative Commons Music Collection', 'paused', 41, 820_000_000),
  job(5, 'debian-12.8.0-amd64-netinst.iso', 'completed', 100, 658_000_000),
  job(6, 'archlinux-2026.01.01-x86_64.iso', 'failed', 3.2, 1_200_000_000, {
    error: { code: 'no_peers', message: 'No peers found for 10 minutes.' },
  }),
]

async function answerApi(route: Route) {
  const path = new URL(route.request().url()).pathname
  const json = (body: unknown) => route.fulfill({ json: body })
  if (path === '/api/auth/me') return json(me)
  if (path === '/api/config') return json({ turnstileSiteKey: null })
  if (path === '/api/jobs') return json({ jobs, nextCursor: null })
  if (path === '/api/events') {
    return route.fulfill({
      status: 200,
      contentType: 'text/event-stream',
      body: 'retry: 600000\n\n',
    })
  }
  return route.fulfill({ status: 404, json: { error: { code: 'not_found', message: 'Not here' } } })
}

const server = await preview({ root, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' })
const url = server.resolvedUrls!.local[0]!
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
})
try {
  await mkdir(out, { recursive: true })
  for (const [name, width, height] of [
    ['narrow', 390, 844],
    ['wide', 1280, 800],
  ] as const) {
    const context = await browser.newContext({
      viewport: { width, height },
      serviceWorkers: 'block',
      colorScheme: 'light',
    })
    await context.route('**/api/**', answerApi)
    // The app checks the session at start only on a browser that signed in before.
    await context.addInitScript(
      (known) => localStorage.setItem('tseeder.lastMe', known),
      JSON.stringify(me),
    )
    const page = await context.newPage()
    await page.goto(url)
    await page.getByRole('heading', { name: 'Jobs' }).waitFor()
    await page.getByText('Big Buck Bunny').first().waitFor()
    await page.screenshot({ path: `${out}${name}.png` })
    await context.close()
    console.log(`${out}${name}.png`)
  }
} finally {
  await browser.close()
  await server.close()
}
