import { describe, expect, it } from 'vitest'
import { firstLoadChunks, type Manifest } from './first-load-chunks.ts'

const manifest: Manifest = {
  'index.html': {
    file: 'assets/index.js',
    isEntry: true,
    imports: ['_react.js', '_client.js'],
    dynamicImports: ['src/admin.tsx', 'src/dashboard.tsx'],
    css: ['assets/index.css'],
  },
  '_react.js': { file: 'assets/react.js' },
  '_client.js': { file: 'assets/client.js', imports: ['_react.js', '_zod.js'] },
  '_zod.js': { file: 'assets/zod.js' },
  '_ui.css': { file: 'assets/ui.css' },
  'src/dashboard.tsx': {
    file: 'assets/dashboard.js',
    isDynamicEntry: true,
    imports: ['_client.js', '_ui.css', '_list.js'],
  },
  '_list.js': { file: 'assets/list.js' },
  'src/admin.tsx': { file: 'assets/admin.js', isDynamicEntry: true, imports: ['_table.js'] },
  '_table.js': { file: 'assets/table.js' },
}

describe('firstLoadChunks', () => {
  it('counts the entry and its static imports transitively, each once, and no lazy chunk', () => {
    expect(firstLoadChunks(manifest, 'index.html', [])).toEqual([
      'assets/index.js',
      'assets/react.js',
      'assets/client.js',
      'assets/zod.js',
    ])
  })

  it("adds the lazy chunk of the page's screen and what only that screen imports", () => {
    expect(firstLoadChunks(manifest, 'index.html', ['src/dashboard.tsx'])).toEqual([
      'assets/index.js',
      'assets/react.js',
      'assets/client.js',
      'assets/zod.js',
      'assets/dashboard.js',
      'assets/list.js',
    ])
  })

  it('takes a screen bundled into the entry as already counted', () => {
    expect(firstLoadChunks(manifest, 'index.html', ['src/sign-in.tsx'])).toHaveLength(4)
  })

  it('refuses a manifest whose chunks import one it does not list', () => {
    const broken: Manifest = { 'index.html': { file: 'assets/index.js', imports: ['_gone.js'] } }
    expect(() => firstLoadChunks(broken, 'index.html', [])).toThrow('"_gone.js" is not in')
  })
})
