// Lighthouse (12.2.3, mobile preset with simulated throttling) on the built PWA served by the
// local stack exactly as `npm start` serves it, signed in as a user with a job, plus the gzip size
// of the JavaScript the first page load needs. Run: `npm run lighthouse` (builds the PWA first).
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import lighthouse from 'lighthouse'
import { chromium } from 'playwright-core'
import { freePort } from '@tseeder/testkit/processes'
import { CHROMIUM_ARGS } from '@tseeder/testkit/browser'
import { startTestStack } from '@tseeder/testkit/test-stack'

const dist = resolve(import.meta.dirname, '..', '..', 'pwa', 'dist')
const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const
const THRESHOLDS = { performance: 90, accessibility: 95, 'best-practices': 95 }
const INITIAL_JS_LIMIT = 150_000

/** Gzip bytes of the scripts index.html loads before any route runs (entry + modulepreloads). */
async function initialJsBytes(): Promise<{ files: string[]; gzip: number }> {
  const html = await readFile(join(dist, 'index.html'), 'utf8')
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!)
  let gzip = 0
  for (const file of files) gzip += gzipSync(await readFile(join(dist, file)), { level: 9 }).length
  return { files, gzip }
}

const stack = await startTestStack(1)
const profile = await mkdtemp(join(tmpdir(), 'tseeder-lighthouse-'))
let failed = false
try {
  const port = await freePort('127.0.0.1')
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [`--remote-debugging-port=${port}`, ...CHROMIUM_ARGS],
  })
  // Sign in inside the browser profile so Lighthouse's tab carries the session cookie.
  const email = `lighthouse-${Date.now()}@example.com`
  const register = await context.request.post(`${stack.url}/api/auth/register`, {
    data: { email, password: 'lighthouse password 1' },
  })
  const { csrfToken } = (await register.json()) as { csrfToken: string }
  await context.request.post(`${stack.url}/api/auth/aup`, {
    data: { accept: true },
    headers: { 'x-csrf-token': csrfToken },
  })
  await context.request.post(`${stack.url}/api/jobs`, {
    data: { magnet: `magnet:?xt=urn:btih:${'c'.repeat(40)}&dn=Lighthouse+sample` },
    headers: { 'x-csrf-token': csrfToken },
  })

  const rows: string[] = []
  for (const path of ['/signin', '/', '/add', '/settings']) {
    const result = await lighthouse(`${stack.url}${path}`, {
      port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: [...CATEGORIES],
    })
    if (!result) throw new Error(`Lighthouse returned nothing for ${path}`)
    const scores = CATEGORIES.map((id) => Math.round((result.lhr.categories[id]?.score ?? 0) * 100))
    const low = CATEGORIES.filter((id, i) => scores[i]! < THRESHOLDS[id])
    if (low.length) failed = true
    rows.push(
      `${path.padEnd(10)} ${scores.map((s) => String(s).padStart(5)).join(' ')}${low.length ? `   below target: ${low.join(', ')}` : ''}`,
    )
    // What costs points, for every category short of 100 (below target or not).
    for (const id of CATEGORIES.filter((_, i) => scores[i]! < 100)) {
      const refs = result.lhr.categories[id]!.auditRefs.filter((ref) => ref.weight > 0)
      const audits = refs.map((ref) => result.lhr.audits[ref.id]!)
      for (const audit of audits.filter((a) => a.score !== null && a.score < 1).slice(0, 8)) {
        rows.push(`             ${id}: ${audit.id} (${audit.score}) ${audit.displayValue ?? ''}`)
        const items = (audit.details as { items?: unknown[] } | undefined)?.items ?? []
        if (!audit.displayValue && items.length) {
          rows.push(`               ${JSON.stringify(items[0]).slice(0, 300)}`)
        }
      }
    }
  }
  await context.close()

  const js = await initialJsBytes()
  console.log(`\nLighthouse 12.2.3, mobile preset, ${stack.url}`)
  console.log(`page        perf  a11y  best`)
  for (const row of rows) console.log(row)
  console.log(
    `\ninitial JS: ${(js.gzip / 1000).toFixed(1)} kB gzip (${js.files.length} files; target ≤ ${INITIAL_JS_LIMIT / 1000} kB)`,
  )
  if (js.gzip > INITIAL_JS_LIMIT) failed = true
} finally {
  await stack.close()
  await rm(profile, { recursive: true, force: true })
}
process.exitCode = failed ? 1 : 0
