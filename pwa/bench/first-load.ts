// The gzip size of the JavaScript the web app's first page loads, against issue 16's goal of
// ≤ 100 kB (1 kB = 1000 bytes, gzip level 9, as a CDN would send it). Counts the entry chunk,
// its static imports (what dist/index.html preloads) and the lazy chunk of the screen the route
// renders, from Vite's build manifest. Run: `npm run bench -w @tseeder/pwa` (builds first).
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { FIRST_PAGES, firstLoadChunks, type Manifest } from './first-load-chunks.ts'

const GOAL = 100_000
const root = resolve(import.meta.dirname, '..')
const dist = join(root, 'dist')

const manifest = JSON.parse(
  await readFile(join(dist, '.vite', 'manifest.json'), 'utf8'),
) as Manifest

// The manifest and the page must agree, or the figure would not be what a browser loads.
const html = await readFile(join(dist, 'index.html'), 'utf8')
const preloaded = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!)
const entryFiles = firstLoadChunks(manifest, 'index.html', [])
if ([...preloaded].sort().join() !== [...entryFiles].sort().join()) {
  throw new Error(
    `index.html loads ${preloaded.join(', ')}; the manifest says ${entryFiles.join(', ')}`,
  )
}

const gzipBytes = new Map<string, number>()
async function gzipSize(file: string): Promise<number> {
  if (!gzipBytes.has(file)) {
    gzipBytes.set(file, gzipSync(await readFile(join(dist, file)), { level: 9 }).length)
  }
  return gzipBytes.get(file)!
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`
console.log(`PWA first load: JavaScript gzip (level 9), goal ≤ ${kB(GOAL)}`)
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
)
let worst = 0
for (const [page, screens] of Object.entries(FIRST_PAGES)) {
  for (const screen of screens) {
    if (!existsSync(join(root, screen))) throw new Error(`${screen} does not exist`)
  }
  const files = firstLoadChunks(manifest, 'index.html', screens)
  const sizes = await Promise.all(files.map(gzipSize))
  const total = sizes.reduce((a, b) => a + b, 0)
  worst = Math.max(worst, total)
  console.log(`\n${page}: ${kB(total)} in ${files.length} files`)
  files.forEach((file, i) => console.log(`  ${kB(sizes[i]!).padStart(9)}  ${file}`))
}
console.log(
  `\nfirst load: ${kB(worst)} gzip; goal ≤ ${kB(GOAL)}; ratio ${(worst / GOAL).toFixed(2)}× the goal`,
)
