// Bundles the agent and the `shared` workspace into one ES module, `dist/main.mjs`, that plain
// `node` runs; npm packages stay external. Running the bundle instead of TypeScript through tsx
// keeps about 30 MB of resident memory per agent (measured idle: 105 MB against 137 MB).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { build } from 'esbuild'

const root = import.meta.dirname
const dependencies = (dir: string) =>
  Object.keys(
    (
      JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>
      }
    ).dependencies,
  )
const external = [...dependencies(root), ...dependencies(resolve(root, '..', 'shared'))].filter(
  (name) => name !== '@tseeder/shared',
)

await build({
  entryPoints: [resolve(root, 'src', 'main.ts')],
  outfile: resolve(root, 'dist', 'main.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  sourcemap: 'linked',
  logLevel: 'warning',
})
