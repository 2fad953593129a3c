// How fast the toolbar popup shows the last cached job list (target ≤ 100 ms from navigation
// start): the popup page opened 20 times with 25 cached jobs and a server that does not answer,
// so only the cache can paint. Run: `npm run bench -w @tseeder/extension` (builds first).
import { resolve } from 'node:path'
import type { Job } from '@tseeder/shared'
import { launchWithExtension } from '@tseeder/testkit/extension'

const OPENS = 20
const serverUrl = 'http://127.0.0.1:9'

function sampleJob(i: number): Job {
  const at = new Date(Date.now() - i * 60_000).toISOString()
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    infohash: i.toString(16).padStart(40, '0'),
    name: `Sample download ${i}`,
    status: i % 3 === 0 ? 'completed' : 'downloading',
    progressPct: i % 3 === 0 ? 100 : (i * 7) % 100,
    bytesDownloaded: 1_000_000 * i,
    bytesTotal: 5_000_000 * (i + 1),
    downloadSpeed: 250_000,
    uploadSpeed: 0,
    eta: 120,
    peers: 4,
    seeds: 2,
    selectedFiles: null,
    awaitingFiles: false,
    queuePosition: null,
    waiting: null,
    createdAt: at,
    updatedAt: at,
  }
}

const browser = await launchWithExtension(
  resolve(import.meta.dirname, '..', '.output', 'chrome-mv3'),
)
try {
  const worker = await browser.worker()
  await worker.evaluate(
    async ({ serverUrl, jobs }) => {
      const scope = globalThis as unknown as {
        chrome: { storage: { local: { set(items: object): Promise<void> } } }
      }
      await scope.chrome.storage.local.set({
        connection: {
          serverUrl,
          token: 'bench-token',
          email: 'bench@example.com',
          planName: 'Free',
          connectedAt: new Date().toISOString(),
          revoked: false,
        },
        jobCache: { serverUrl, jobs, fetchedAt: new Date().toISOString() },
      })
    },
    { serverUrl, jobs: Array.from({ length: 25 }, (_, i) => sampleJob(i)) },
  )
  // Notes when the first job row enters the document, measured from the page's navigation start.
  await browser.context.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (!document.querySelector('.ts-job')) return
      ;(window as unknown as { firstJobAt: number }).firstJobAt = performance.now()
      observer.disconnect()
    }).observe(document, { childList: true, subtree: true })
  })
  const times: number[] = []
  for (let i = 0; i < OPENS; i++) {
    const page = await browser.context.newPage()
    await page.setViewportSize({ width: 380, height: 590 })
    await page.goto(browser.url('popup.html'))
    await page.waitForFunction(() => 'firstJobAt' in window)
    times.push(await page.evaluate(() => (window as unknown as { firstJobAt: number }).firstJobAt))
    await page.close()
  }
  console.log(`opens (ms, in order): ${times.map((t) => t.toFixed(0)).join(' ')}`)
  times.sort((a, b) => a - b)
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!
  console.log(`## Extension popup, ${OPENS} opens, 25 cached jobs, server not answering`)
  console.log(
    `popup_first_jobs_ms: median ${at(0.5).toFixed(0)}  p95 ${at(0.95).toFixed(0)}  max ${times.at(-1)!.toFixed(0)}  (target ≤ 100)`,
  )
} finally {
  await browser.close()
}
