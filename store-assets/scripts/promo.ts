// Renders the store's promotional images from one HTML template around the source icon:
// the small promo tile (440×280) and the marquee (1400×560), as PNGs in store-assets/promo/.
// Run: `npx tsx store-assets/scripts/promo.ts`.
import { mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'

const root = resolve(import.meta.dirname, '..', '..')
const icon = readFileSync(join(root, 'store-assets', 'icon.svg'), 'utf8')
const outDir = join(root, 'store-assets', 'promo')

interface Layout {
  file: string
  width: number
  height: number
  /** Icon edge and headline size, in px. */
  icon: number
  headline: number
  /** The marquee has room for the three things the extension does. */
  points: boolean
}

const layouts: Layout[] = [
  {
    file: 'promo-tile-440x280.png',
    width: 440,
    height: 280,
    icon: 96,
    headline: 30,
    points: false,
  },
  { file: 'marquee-1400x560.png', width: 1400, height: 560, icon: 220, headline: 64, points: true },
]

function page(layout: Layout): string {
  const { width, height, icon: iconSize, headline, points } = layout
  const pad = Math.round(height * 0.14)
  return `<!doctype html><html><head><style>
    html, body { margin: 0; }
    body {
      width: ${width}px; height: ${height}px; box-sizing: border-box; padding: ${pad}px;
      display: flex; align-items: center; gap: ${Math.round(pad * 0.8)}px; overflow: hidden;
      font-family: system-ui, 'DejaVu Sans', sans-serif; color: #fff;
      background: radial-gradient(circle at 85% 15%, #3d5cf0 0, transparent 55%),
        linear-gradient(135deg, #1a2f9e 0%, #2344d0 55%, #1b37ad 100%);
    }
    .icon svg { display: block; width: ${iconSize}px; height: ${iconSize}px;
      filter: drop-shadow(0 ${iconSize / 20}px ${iconSize / 8}px rgb(0 0 0 / 30%)); }
    h1 { margin: 0; font-size: ${headline}px; line-height: 1.1; letter-spacing: -0.01em; }
    p { margin: ${headline * 0.3}px 0 0; font-size: ${headline * 0.5}px; opacity: 0.92; line-height: 1.3; }
    ul { margin: ${headline * 0.45}px 0 0; padding: 0; list-style: none; font-size: ${headline * 0.4}px; }
    li { margin-top: ${headline * 0.18}px; }
    li::before { content: '✓'; margin-right: 0.5em; color: #9fe3bd; font-weight: 700; }
  </style></head><body>
    <div class="icon">${icon}</div>
    <div>
      <h1>Send to tseeder</h1>
      <p>Magnets and .torrents, from any page to your server.</p>
      ${
        points
          ? `<ul><li>Right-click, or just click a magnet link</li>
             <li>Private tracker .torrents, with your own cookies</li>
             <li>Live progress, badge and a notification when it is done</li></ul>`
          : ''
      }
    </div>
  </body></html>`
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu'],
})
try {
  mkdirSync(outDir, { recursive: true })
  const tab = await browser.newPage()
  for (const layout of layouts) {
    await tab.setViewportSize({ width: layout.width, height: layout.height })
    await tab.setContent(page(layout))
    const path = join(outDir, layout.file)
    await tab.screenshot({ path })
    console.log(`store-assets/promo/${layout.file} (${layout.width}×${layout.height})`)
  }
} finally {
  await browser.close()
}
