// npm run deploy:check [-- --config path/to/wrangler.toml]: everything that can be known about a
// production deploy before `wrangler deploy` (DEPLOYMENT.md step 5). Exits 1 with one plain line
// per problem. The final `wrangler deploy --dry-run` bundles the Worker offline; if it fails only
// because Cloudflare cannot be reached it is reported and does not fail the check, since the
// other checks and the bundle are what this check is for.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { experimental_readRawConfig } from 'wrangler'
import {
  checkCrons,
  checkDeclaredEnv,
  checkDurableObjects,
  checkMigrationFiles,
  checkQueues,
  checkStorageBindings,
  cronsIn,
  envNamesIn,
  exportedClassesIn,
  isOfflineFailure,
  productionProblems,
  type WranglerConfig,
} from './lib/deploy-checks.ts'

const root = path.resolve(import.meta.dirname, '..')
const { values } = parseArgs({ options: { config: { type: 'string' } } })
const configPath = path.resolve(values.config ?? path.join(root, 'wrangler.toml'))
const read = (file: string) => readFileSync(path.join(root, file), 'utf8')

const config = experimental_readRawConfig({ config: configPath }).rawConfig as WranglerConfig

function workerSourceFiles(): string[] {
  const src = path.join(root, 'api/src')
  return readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join('api/src', f))
}

const deadLetterQueue = /DEAD_LETTER_QUEUE = '([^']+)'/.exec(
  read('api/src/queue/dispatch-queue.ts'),
)
const assetsDir = path.resolve(path.dirname(configPath), config.assets?.directory ?? 'pwa/dist')

const sections: [string, string[]][] = [
  ['production settings', productionProblems(config)],
  ['D1 and KV', checkStorageBindings(config)],
  ['queues', checkQueues(config, deadLetterQueue?.[1] ?? '(not found)')],
  ['Durable Objects', checkDurableObjects(config, exportedClassesIn(read('api/src/index.ts')))],
  ['crons', checkCrons(config, cronsIn(read('api/src/jobs/maintenance.ts')))],
  [
    'vars and secrets',
    checkDeclaredEnv(
      config,
      workerSourceFiles().flatMap((f) => envNamesIn(read(f))),
    ),
  ],
  ['migrations', checkMigrationFiles(readdirSync(path.join(root, 'migrations')))],
  [
    'web app',
    existsSync(path.join(assetsDir, 'index.html'))
      ? []
      : [
          `${path.relative(root, assetsDir)}/index.html is missing: run \`npm run build -w @tseeder/pwa\`.`,
        ],
  ],
]

function dryRun(): { problems: string[]; note: string } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'tseeder-deploy-check-'))
  try {
    const result = spawnSync(
      'npx',
      ['wrangler', 'deploy', '--config', configPath, '--dry-run', '--outdir', outdir, '--minify'],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true' },
      },
    )
    const output = `${result.stdout}\n${result.stderr}`
    if (result.status === 0) {
      const size = /Total Upload:[^\n]*/.exec(output)?.[0] ?? 'bundle built'
      return { problems: [], note: `wrangler deploy --dry-run: ${size.trim()}` }
    }
    if (isOfflineFailure(output))
      return {
        problems: [],
        note: 'wrangler deploy --dry-run could not reach Cloudflare; the bundle was not checked (run again online).',
      }
    const tail = output.trim().split('\n').slice(-15).join('\n')
    return { problems: [`wrangler deploy --dry-run failed:\n${tail}`], note: '' }
  } finally {
    rmSync(outdir, { recursive: true, force: true })
  }
}

let failed = 0
for (const [name, problems] of sections) {
  for (const problem of problems) console.error(`✗ ${name}: ${problem}`)
  failed += problems.length
}
const bundle = dryRun()
for (const problem of bundle.problems) console.error(`✗ bundle: ${problem}`)
failed += bundle.problems.length
if (bundle.note) console.log(bundle.note)

if (failed) {
  console.error(`deploy:check found ${failed} problem(s) in ${path.relative(root, configPath)}.`)
  process.exit(1)
}
console.log(`deploy:check: ${path.relative(root, configPath)} is ready to deploy.`)
