// Renders the one source icon (store-assets/icon.svg, plus its full-bleed maskable variant) to
// every PNG the extension, the PWA and the store listings use. Run: `npm run assets:icons`.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS } from '@tseeder/testkit/browser'

const root = resolve(import.meta.dirname, '..', '..')
const svg = (name: string) => readFileSync(join(root, 'store-assets', name), 'utf8')

const outputs: { source: string; size: number; file: string }[] = [
  ...[16, 32, 48, 128].flatMap((size) => [
    { source: 'icon.svg', size, file: `extension/public/icon/${size}.png` },
    { source: 'icon.svg', size, file: `store-assets/icons/icon-${size}.png` },
  ]),
  { source: 'icon.svg', size: 192, file: 'pwa/public/icons/icon-192.png' },
  { source: 'icon.svg', size: 512, file: 'pwa/public/icons/icon-512.png' },
  { source: 'icon-maskable.svg', size: 512, file: 'pwa/public/icons/maskable-512.png' },
  { source: 'icon-maskable.svg', size: 180, file: 'pwa/public/icons/apple-touch-icon.png' },
]

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
})
try {
  const page = await browser.newPage()
  for (const { source, size, file } of outputs) {
    await page.setViewportSize({ width: size, height: size })
    await page.setContent(
      `<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg(source)}`,
    )
    const target = join(root, file)
    mkdirSync(dirname(target), { recursive: true })
    await page.screenshot({ path: target, omitBackground: true })
    console.log(`${file} (${size}×${size})`)
  }
  copyFileSync(join(root, 'store-assets/icon.svg'), join(root, 'pwa/public/icons/favicon.svg'))
} finally {
  await browser.close()
}
