// The build `npm test` makes first (root package.json): its first pages must not load zod. zod is
// a quarter of the first-load budget, and a single value imported from a schema module brings it
// back unnoticed (it happened once; pwa/README.md "First load").
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FIRST_PAGES, firstLoadChunks, type Manifest } from './first-load-chunks.ts'

const manifestPath = join(resolve(import.meta.dirname, '..'), 'dist', '.vite', 'manifest.json')

describe('the built first pages', () => {
  it('load no zod (its chunk is for the screens that check forms)', () => {
    expect(existsSync(manifestPath), 'build the web app first: npm run build -w @tseeder/pwa').toBe(
      true,
    )
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest
    const zod = Object.values(manifest).filter((chunk) => /(^|\/)zod-[^/]+\.js$/.test(chunk.file))
    expect(zod).toHaveLength(1)
    for (const [page, screens] of Object.entries(FIRST_PAGES)) {
      expect(firstLoadChunks(manifest, 'index.html', screens), page).not.toContain(zod[0]!.file)
    }
  })
})
