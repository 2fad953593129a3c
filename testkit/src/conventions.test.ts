// Test tooling lives in this workspace: the product workspaces, their scripts and benches import
// it from here, never from the end-to-end tests (`e2e/` holds tests and the scripts built on them).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '..', '..')
const e2eDir = join(root, 'e2e')
const SKIPPED = new Set(['node_modules', 'dist', '.output', '.wxt', '.wrangler'])

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : sourceFiles(path)
    return /\.(ts|tsx|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

/** Every module specifier in `import … from`, `export … from`, `import()` and bare `import '…'`. */
function specifiers(source: string): string[] {
  const pattern = /\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g
  return [...source.matchAll(pattern)].map((match) => match[1]!)
}

/** Imports of `file` that lead into e2e/, by relative path or by package name. */
function e2eImports(file: string): string[] {
  return specifiers(readFileSync(file, 'utf8')).filter((specifier) => {
    if (specifier === '@tseeder/e2e' || specifier.startsWith('@tseeder/e2e/')) return true
    if (!specifier.startsWith('.')) return false
    const target = resolve(dirname(file), specifier)
    return target === e2eDir || target.startsWith(`${e2eDir}/`)
  })
}

describe('test tooling conventions', () => {
  it('finds an import into e2e/ by relative path or package name', () => {
    expect(
      specifiers(`import { a } from '../../e2e/src/x.ts'\nexport * from "@tseeder/e2e"`),
    ).toEqual(['../../e2e/src/x.ts', '@tseeder/e2e'])
    expect(specifiers(`await import('../e2e/y.ts'); import './side-effect.ts'`)).toEqual([
      '../e2e/y.ts',
      './side-effect.ts',
    ])
  })

  it.each(['pwa', 'extension', 'store-assets', 'api', 'agent', 'shared', 'scripts', 'testkit'])(
    'keeps %s/ free of imports from e2e/',
    (workspace) => {
      // This file's own examples are not imports.
      const files = sourceFiles(join(root, workspace)).filter((f) => f !== import.meta.filename)
      expect(files.length).toBeGreaterThan(0)
      const offending = files.flatMap((file) =>
        e2eImports(file).map((specifier) => `${relative(root, file)}: ${specifier}`),
      )
      expect(offending).toEqual([])
    },
  )
})
