// The checks behind `npm run deploy:check`: each takes what it needs (the parsed wrangler.toml,
// names read from the source) and returns the problems it found as plain sentences, so tests can
// run each on a fixture configuration.
import { configProblems, type ConfigProblem } from '../../api/src/lib/config.ts'

/** The parts of a parsed wrangler.toml the checks read (wrangler's raw config shape). */
export interface WranglerConfig {
  main?: string
  vars?: Record<string, unknown>
  secrets?: { required?: string[] }
  assets?: { directory?: string; binding?: string }
  d1_databases?: { binding?: string; database_id?: string; migrations_dir?: string }[]
  kv_namespaces?: { binding?: string; id?: string }[]
  durable_objects?: { bindings?: { name?: string; class_name?: string }[] }
  migrations?: { tag?: string; new_classes?: string[]; new_sqlite_classes?: string[] }[]
  queues?: {
    producers?: { binding?: string; queue?: string }[]
    consumers?: { queue?: string; dead_letter_queue?: string }[]
  }
  mtls_certificates?: { binding?: string; certificate_id?: string }[]
  analytics_engine_datasets?: { binding?: string }[]
  r2_buckets?: { binding?: string }[]
  services?: { binding?: string }[]
  triggers?: { crons?: string[] }
}

/**
 * Bindings the Worker reads that are declared only in production, each checked elsewhere:
 * AGENT_MTLS by `productionProblems` (and by lib/config.ts at run time).
 */
const PRODUCTION_ONLY_BINDINGS = new Set(['AGENT_MTLS'])

/** The production configuration errors (lib/config.ts) that wrangler.toml alone decides. */
const FILE_DECIDED = new Set<ConfigProblem['code']>([
  'agent_mtls_missing',
  'vapid_private_key_missing',
])

const PLACEHOLDER_ID = /^0+$|^0{8}-0{4}-0{4}-0{4}-0{12}$|^<.*>$/

function bindingNames(list: { binding?: string }[] | undefined): string[] {
  return (list ?? []).map((b) => b.binding ?? '').filter(Boolean)
}

/** D1 and KV bindings the Worker uses, with real (not placeholder) ids. */
export function checkStorageBindings(config: WranglerConfig): string[] {
  const problems: string[] = []
  const db = config.d1_databases?.find((d) => d.binding === 'DB')
  if (!db) problems.push('wrangler.toml has no [[d1_databases]] with binding = "DB".')
  else {
    if (!db.database_id || PLACEHOLDER_ID.test(db.database_id))
      problems.push(
        'The D1 database_id is a placeholder: run `npx wrangler d1 create tseeder` and copy its id (DEPLOYMENT.md step 1).',
      )
    if (db.migrations_dir !== 'migrations')
      problems.push('The D1 binding DB must have migrations_dir = "migrations".')
  }
  const kv = config.kv_namespaces?.find((k) => k.binding === 'KV')
  if (!kv) problems.push('wrangler.toml has no [[kv_namespaces]] with binding = "KV".')
  else if (!kv.id || PLACEHOLDER_ID.test(kv.id))
    problems.push(
      'The KV namespace id is a placeholder: run `npx wrangler kv namespace create KV` and copy its id.',
    )
  return problems
}

/**
 * The dispatch queue: a producer, its consumer with a dead-letter queue, a consumer of that
 * dead-letter queue, and the same queue name as the code's `DEAD_LETTER_QUEUE`.
 */
export function checkQueues(config: WranglerConfig, codeDeadLetterQueue: string): string[] {
  const problems: string[] = []
  const producers = config.queues?.producers ?? []
  const consumers = config.queues?.consumers ?? []
  const producer = producers.find((p) => p.binding === 'JOBS_QUEUE')
  if (!producer?.queue) {
    problems.push('wrangler.toml has no [[queues.producers]] with binding = "JOBS_QUEUE".')
    return problems
  }
  const consumer = consumers.find((c) => c.queue === producer.queue)
  if (!consumer) problems.push(`No [[queues.consumers]] reads the queue "${producer.queue}".`)
  else if (!consumer.dead_letter_queue)
    problems.push(`The consumer of "${producer.queue}" has no dead_letter_queue.`)
  else {
    const dlq = consumer.dead_letter_queue
    if (!consumers.some((c) => c.queue === dlq))
      problems.push(
        `No [[queues.consumers]] reads the dead-letter queue "${dlq}": dead letters would never alert.`,
      )
    if (dlq !== codeDeadLetterQueue)
      problems.push(
        `The dead-letter queue is "${dlq}" in wrangler.toml but "${codeDeadLetterQueue}" in api/src/queue/dispatch-queue.ts.`,
      )
  }
  return problems
}

/**
 * Every Durable Object class exported by the Worker has a binding and is created by exactly one
 * `[[migrations]]` tag; tags are unique; bindings name exported classes only.
 */
export function checkDurableObjects(config: WranglerConfig, exportedClasses: string[]): string[] {
  const problems: string[] = []
  const bindings = config.durable_objects?.bindings ?? []
  const migrations = config.migrations ?? []
  const tags = migrations.map((m) => m.tag ?? '')
  const duplicated = tags.filter((tag, i) => tags.indexOf(tag) !== i)
  if (duplicated.length)
    problems.push(`[[migrations]] tags repeat: ${[...new Set(duplicated)].join(', ')}.`)
  if (tags.some((t) => !t)) problems.push('A [[migrations]] block has no tag.')
  for (const cls of exportedClasses) {
    if (!bindings.some((b) => b.class_name === cls))
      problems.push(
        `Durable Object class ${cls} is exported but has no [[durable_objects.bindings]].`,
      )
    const creating = migrations.filter((m) =>
      [...(m.new_sqlite_classes ?? []), ...(m.new_classes ?? [])].includes(cls),
    )
    if (!creating.length)
      problems.push(
        `Durable Object class ${cls} is created by no [[migrations]] tag: add a new tag with new_sqlite_classes = ["${cls}"].`,
      )
    else if (creating.length > 1)
      problems.push(`Durable Object class ${cls} is created by more than one [[migrations]] tag.`)
  }
  for (const binding of bindings) {
    if (!binding.class_name || !exportedClasses.includes(binding.class_name))
      problems.push(
        `Durable Object binding ${binding.name} names class ${binding.class_name}, which api/src/index.ts does not export.`,
      )
  }
  return problems
}

/** The crons in wrangler.toml are exactly the ones the scheduled handler knows. */
export function checkCrons(config: WranglerConfig, codeCrons: string[]): string[] {
  const declared = config.triggers?.crons ?? []
  const problems: string[] = []
  for (const cron of codeCrons)
    if (!declared.includes(cron))
      problems.push(
        `Cron "${cron}" (api/src/jobs/maintenance.ts CRONS) is missing from [triggers] crons.`,
      )
  for (const cron of declared)
    if (!codeCrons.includes(cron))
      problems.push(
        `Cron "${cron}" in [triggers] is not in api/src/jobs/maintenance.ts CRONS: the handler would treat it as the every-minute one.`,
      )
  return problems
}

/**
 * Names the Worker reads from `env` that wrangler.toml declares neither as a var, a secret nor a
 * binding, and secrets given a plaintext value in [vars].
 */
export function checkDeclaredEnv(config: WranglerConfig, readNames: string[]): string[] {
  const declared = new Set([
    ...Object.keys(config.vars ?? {}),
    ...(config.secrets?.required ?? []),
    ...bindingNames(config.d1_databases),
    ...bindingNames(config.kv_namespaces),
    ...bindingNames(config.queues?.producers),
    ...bindingNames(config.mtls_certificates),
    ...bindingNames(config.analytics_engine_datasets),
    ...bindingNames(config.r2_buckets),
    ...bindingNames(config.services),
    ...(config.durable_objects?.bindings ?? []).map((b) => b.name ?? ''),
    ...(config.assets?.binding ? [config.assets.binding] : []),
  ])
  const undeclared = [...new Set(readNames)]
    .filter((name) => !declared.has(name) && !PRODUCTION_ONLY_BINDINGS.has(name))
    .sort()
    .map(
      (name) =>
        `The Worker reads env.${name}, which wrangler.toml declares nowhere: add it to [vars], or to [secrets] required and \`npx wrangler secret put ${name}\`.`,
    )
  const inPlaintext = (config.secrets?.required ?? [])
    .filter((name) => Object.hasOwn(config.vars ?? {}, name))
    .map(
      (name) =>
        `${name} is a secret but [vars] gives it a value, in plaintext in wrangler.toml: remove it from [vars] and \`npx wrangler secret put ${name}\`.`,
    )
  return [...undeclared, ...inPlaintext]
}

/** Migration files are NNNN_name.sql numbered 0001, 0002, … without gaps or repeats. */
export function checkMigrationFiles(files: string[]): string[] {
  const sql = files.filter((f) => f.endsWith('.sql')).sort()
  const problems: string[] = []
  sql.forEach((file, i) => {
    const match = /^(\d{4})_[a-z0-9_]+\.sql$/.exec(file)
    if (!match) problems.push(`migrations/${file} is not named NNNN_verb_noun.sql.`)
    else if (Number(match[1]) !== i + 1)
      problems.push(
        `migrations/${file}: expected number ${String(i + 1).padStart(4, '0')} (a gap or a repeat before it).`,
      )
  })
  return problems
}

/**
 * What the file itself makes wrong in production (secret values are checked by `/api/health`
 * once deployed, since only Cloudflare has them): ENVIRONMENT, the agents' mTLS binding, the
 * storage endpoint and grant mode.
 */
export function productionProblems(config: WranglerConfig): string[] {
  const vars = config.vars ?? {}
  if (vars.ENVIRONMENT !== 'production')
    return [
      `[vars] ENVIRONMENT is "${String(vars.ENVIRONMENT ?? '')}": set it to "production" (DEPLOYMENT.md step 2), or the Worker skips Turnstile and the production checks.`,
    ]
  // Secrets live in Cloudflare only: their values are checked live; here only what the file decides.
  const problems = configProblems({
    ENVIRONMENT: 'production',
    AGENT_MTLS: bindingNames(config.mtls_certificates).includes('AGENT_MTLS'),
    VAPID_PUBLIC_KEY: String(vars.VAPID_PUBLIC_KEY ?? ''),
    VAPID_PRIVATE_KEY: config.secrets?.required?.includes('VAPID_PRIVATE_KEY') ? 'declared' : '',
  })
    .filter((p) => FILE_DECIDED.has(p.code))
    .map((p) => p.message)
  const endpoint = String(vars.S3_ENDPOINT ?? '')
  if (!endpoint.startsWith('https://'))
    problems.push(`[vars] S3_ENDPOINT "${endpoint}" is not https: use R2's endpoint.`)
  if (vars.STORAGE_GRANT_MODE !== 'r2-temporary')
    problems.push(
      '[vars] STORAGE_GRANT_MODE must be "r2-temporary" in production: "static" hands agents the Worker\'s own storage key.',
    )
  return problems
}

/** `env.NAME` and `Pick<Env, 'NAME' | …>` names in one source file. */
export function envNamesIn(source: string): string[] {
  const names = [...source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)].map((m) => m[1]!)
  for (const pick of source.matchAll(/Pick<Env,([^>]+)>/g))
    names.push(...[...pick[1]!.matchAll(/'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]!))
  return names
}

/** The classes `api/src/index.ts` re-exports by name (only Durable Objects may be). */
export function exportedClassesIn(indexSource: string): string[] {
  return [...indexSource.matchAll(/^export \{ (\w+) \} from/gm)].map((m) => m[1]!)
}

/** The cron strings of `export const CRONS = { … }` in maintenance.ts. */
export function cronsIn(maintenanceSource: string): string[] {
  const block = /export const CRONS = \{([^}]*)\}/.exec(maintenanceSource)?.[1] ?? ''
  return [...block.matchAll(/'([^']+)'/g)].map((m) => m[1]!)
}

/**
 * Whether a failed `wrangler deploy --dry-run` failed only for want of Cloudflare (no network,
 * no login), which the check reports without failing, rather than because the Worker does not
 * build.
 */
export function isOfflineFailure(output: string): boolean {
  return /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|fetch failed|getaddrinfo|not logged in|CLOUDFLARE_API_TOKEN/i.test(
    output,
  )
}
