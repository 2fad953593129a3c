// The checks of `npm run deploy:check` (scripts/lib/deploy-checks.ts), each on fixture
// wrangler.toml files read by wrangler's own parser. They live here so `npx vitest run` in api/
// runs them with the other Node-side tests.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
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
} from '../../scripts/lib/deploy-checks.ts'

const root = path.resolve(import.meta.dirname, '../..')
const dir = mkdtempSync(path.join(tmpdir(), 'deploy-checks-'))

function toml(text: string): WranglerConfig {
  const file = path.join(dir, `${crypto.randomUUID()}.toml`)
  writeFileSync(file, `name = "t"\nmain = "x.ts"\ncompatibility_date = "2026-04-20"\n${text}`)
  return experimental_readRawConfig({ config: file }).rawConfig as WranglerConfig
}

const PRODUCTION = `
[vars]
ENVIRONMENT = "production"
S3_ENDPOINT = "https://acc.r2.cloudflarestorage.com"
STORAGE_GRANT_MODE = "r2-temporary"
VAPID_PUBLIC_KEY = "BKey"
[secrets]
required = ["VAPID_PRIVATE_KEY", "AGENT_SIGNING_KEY"]
[[mtls_certificates]]
binding = "AGENT_MTLS"
certificate_id = "abc"
`

describe('deploy:check', () => {
  it('passes the repository wrangler.toml except for what an operator must fill in', () => {
    const config = experimental_readRawConfig({ config: path.join(root, 'wrangler.toml') })
      .rawConfig as WranglerConfig
    const read = (f: string) => readFileSync(path.join(root, f), 'utf8')
    expect(checkQueues(config, 'tseeder-jobs-dlq')).toEqual([])
    expect(checkDurableObjects(config, exportedClassesIn(read('api/src/index.ts')))).toEqual([])
    expect(checkCrons(config, cronsIn(read('api/src/jobs/maintenance.ts')))).toEqual([])
    expect(checkMigrationFiles(readdirSync(path.join(root, 'migrations')))).toEqual([])
    const sources = readdirSync(path.join(root, 'api/src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => read(path.join('api/src', f)))
    expect(checkDeclaredEnv(config, sources.flatMap(envNamesIn))).toEqual([])
    expect(productionProblems(config).join()).toMatch(/ENVIRONMENT is "local"/)
    expect(checkStorageBindings(config).join()).toMatch(/database_id is a placeholder/)
  })

  it('wants ENVIRONMENT production, the AGENT_MTLS binding, https storage and r2-temporary grants', () => {
    expect(productionProblems(toml(PRODUCTION))).toEqual([])
    const bare = productionProblems(
      toml(
        `[vars]\nENVIRONMENT = "production"\nS3_ENDPOINT = "http://127.0.0.1:9000"\nVAPID_PUBLIC_KEY = "B"`,
      ),
    )
    expect(bare.join('\n')).toMatch(/AGENT_MTLS/)
    expect(bare.join('\n')).toMatch(/VAPID_PRIVATE_KEY/)
    expect(bare.join('\n')).toMatch(/S3_ENDPOINT .* is not https/)
    expect(bare.join('\n')).toMatch(/STORAGE_GRANT_MODE/)
  })

  it('wants D1 and KV bound with real ids', () => {
    expect(
      checkStorageBindings(
        toml(
          `[[d1_databases]]\nbinding = "DB"\ndatabase_name = "t"\ndatabase_id = "9c1f"\nmigrations_dir = "migrations"\n[[kv_namespaces]]\nbinding = "KV"\nid = "ab12"`,
        ),
      ),
    ).toEqual([])
    expect(checkStorageBindings(toml(''))).toEqual([
      'wrangler.toml has no [[d1_databases]] with binding = "DB".',
      'wrangler.toml has no [[kv_namespaces]] with binding = "KV".',
    ])
  })

  it('wants the jobs queue consumed with a dead-letter queue that is itself consumed', () => {
    const producer = `[[queues.producers]]\nbinding = "JOBS_QUEUE"\nqueue = "q"\n`
    expect(checkQueues(toml(''), 'dlq')).toEqual([
      'wrangler.toml has no [[queues.producers]] with binding = "JOBS_QUEUE".',
    ])
    expect(checkQueues(toml(producer), 'dlq')).toEqual([
      'No [[queues.consumers]] reads the queue "q".',
    ])
    expect(checkQueues(toml(`${producer}[[queues.consumers]]\nqueue = "q"`), 'dlq')).toEqual([
      'The consumer of "q" has no dead_letter_queue.',
    ])
    const withDlq = `${producer}[[queues.consumers]]\nqueue = "q"\ndead_letter_queue = "dlq"\n`
    expect(checkQueues(toml(withDlq), 'dlq').join()).toMatch(/reads the dead-letter queue "dlq"/)
    expect(checkQueues(toml(`${withDlq}[[queues.consumers]]\nqueue = "dlq"`), 'dlq')).toEqual([])
    expect(
      checkQueues(toml(`${withDlq}[[queues.consumers]]\nqueue = "dlq"`), 'other').join(),
    ).toMatch(/dispatch-queue\.ts/)
  })

  it('wants every exported Durable Object bound and created by exactly one migration tag', () => {
    const good = `[[durable_objects.bindings]]\nname = "A"\nclass_name = "ADO"\n[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["ADO"]`
    expect(checkDurableObjects(toml(good), ['ADO'])).toEqual([])
    const problems = checkDurableObjects(toml(good), ['ADO', 'BDO']).join('\n')
    expect(problems).toMatch(/BDO is exported but has no \[\[durable_objects.bindings\]\]/)
    expect(problems).toMatch(/BDO is created by no \[\[migrations\]\] tag/)
    expect(
      checkDurableObjects(toml(`${good}\n[[migrations]]\ntag = "v1"\nnew_classes = ["ADO"]`), [
        'ADO',
      ]),
    ).toEqual([
      '[[migrations]] tags repeat: v1.',
      'Durable Object class ADO is created by more than one [[migrations]] tag.',
    ])
    expect(checkDurableObjects(toml(good), []).join()).toMatch(/does not export/)
  })

  it('wants the crons of the scheduled handler, and no others', () => {
    const config = toml(`[triggers]\ncrons = ["* * * * *", "5 * * * *"]`)
    expect(checkCrons(config, ['* * * * *', '17 3 * * *'])).toEqual([
      'Cron "17 3 * * *" (api/src/jobs/maintenance.ts CRONS) is missing from [triggers] crons.',
      'Cron "5 * * * *" in [triggers] is not in api/src/jobs/maintenance.ts CRONS: the handler would treat it as the every-minute one.',
    ])
    expect(
      cronsIn(`export const CRONS = {\n  a: '1 2 * * *',\n  b: '* * * * *',\n} as const`),
    ).toEqual(['1 2 * * *', '* * * * *'])
  })

  it('wants every env name the Worker reads declared as a var, a secret or a binding', () => {
    const names = envNamesIn(
      "c.env.DB; env.NEW_SECRET; env.ENVIRONMENT; env.AGENT_MTLS; (e: Pick<Env, 'DOWNLOAD_MODE' | 'X'>) => e",
    )
    expect(names).toEqual(['DB', 'NEW_SECRET', 'ENVIRONMENT', 'AGENT_MTLS', 'DOWNLOAD_MODE', 'X'])
    const config = toml(
      `[vars]\nENVIRONMENT = "local"\nDOWNLOAD_MODE = ""\n[secrets]\nrequired = ["X"]\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "t"\ndatabase_id = "1"`,
    )
    expect(checkDeclaredEnv(config, names)).toEqual([
      'The Worker reads env.NEW_SECRET, which wrangler.toml declares nowhere: add it to [vars], or to [secrets] required and `npx wrangler secret put NEW_SECRET`.',
    ])
  })

  it('refuses a secret given a plaintext value in [vars]', () => {
    const config = toml(
      `[vars]\nLINK_SIGNING_KEY = "abc"\n[secrets]\nrequired = ["LINK_SIGNING_KEY"]`,
    )
    expect(checkDeclaredEnv(config, ['LINK_SIGNING_KEY'])).toEqual([
      'LINK_SIGNING_KEY is a secret but [vars] gives it a value, in plaintext in wrangler.toml: remove it from [vars] and `npx wrangler secret put LINK_SIGNING_KEY`.',
    ])
  })

  it('wants migrations numbered from 0001 without gaps or repeats', () => {
    expect(checkMigrationFiles(['0001_create_a.sql', '0002_add_b.sql', 'README'])).toEqual([])
    expect(checkMigrationFiles(['0001_create_a.sql', '0003_add_c.sql'])).toEqual([
      'migrations/0003_add_c.sql: expected number 0002 (a gap or a repeat before it).',
    ])
    expect(checkMigrationFiles(['0001_a.sql', '0001_b.sql']).length).toBe(1)
    expect(checkMigrationFiles(['1_Create.sql'])).toEqual([
      'migrations/1_Create.sql is not named NNNN_verb_noun.sql.',
    ])
  })

  it('tells a dry run that could not reach Cloudflare from one that does not build', () => {
    expect(isOfflineFailure('getaddrinfo ENOTFOUND api.cloudflare.com')).toBe(true)
    expect(isOfflineFailure('✘ [ERROR] Could not resolve "./missing.ts"')).toBe(false)
  })
})
