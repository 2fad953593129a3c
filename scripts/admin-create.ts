// npm run admin:create -- <email> [--password <password>] [--remote] [--persist-to <dir>]
//
// Makes <email> an administrator in the D1 database that `npm start` uses (.state/wrangler, or
// --persist-to), or the production one with --remote. An existing account is promoted and keeps its password; otherwise the
// account is created with the given password or a generated one, printed once.
import { execFileSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { Email, Password } from '@tseeder/shared'
import { hashPassword, randomToken } from '../api/src/lib/crypto.ts'
import { billingPeriod } from '../api/src/lib/time.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    password: { type: 'string' },
    remote: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
  },
})

function fail(message: string): never {
  console.error(`admin:create: ${message}`)
  process.exit(1)
}

const email = Email.safeParse(positionals[0] ?? '')
if (!email.success)
  fail('usage: npm run admin:create -- <email> [--password <password>] [--remote]')
if (values.password !== undefined && !Password.safeParse(values.password).success) {
  fail('the password must be 10 to 256 characters')
}

const sql = (text: string) => `'${text.replace(/'/g, "''")}'`

function d1(command: string): Array<Record<string, unknown>> {
  const args = ['wrangler', 'd1', 'execute', 'DB', '--json', '--command', command]
  args.push(values.remote ? '--remote' : '--local')
  if (!values.remote) args.push('--persist-to', values['persist-to'] ?? '.state/wrangler')
  const output = execFileSync('npx', args, {
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const parsed = JSON.parse(output) as Array<{ results: Array<Record<string, unknown>> }>
  return parsed.flatMap((statement) => statement.results)
}

const address = email.data
const now = Date.now()
const [existing] = d1(`SELECT id FROM users WHERE email = ${sql(address)}`)
const audit = (userId: string, action: string) =>
  `INSERT INTO audit_logs (created_at, actor_type, action, target_type, target_id, meta)
   VALUES (${now}, 'system', ${sql(action)}, 'user', ${sql(userId)}, '{"via":"admin:create"}')`

if (existing) {
  const id = String(existing.id)
  d1(
    `UPDATE users SET role = 'admin', updated_at = ${now} WHERE id = ${sql(id)}; ${audit(id, 'admin.promoted')}`,
  )
  console.log(`${address} is now an admin (existing account, password unchanged).`)
} else {
  const password = values.password ?? randomToken(15)
  const hash = await hashPassword(password)
  const id = crypto.randomUUID()
  d1(
    `INSERT INTO users (id, email, password_hash, password_salt, password_iterations, role, created_at, updated_at)
     VALUES (${sql(id)}, ${sql(address)}, ${sql(hash.hash)}, ${sql(hash.salt)}, ${hash.iterations}, 'admin', ${now}, ${now});
     INSERT INTO usage (user_id, bandwidth_period, updated_at) VALUES (${sql(id)}, ${sql(billingPeriod(now))}, ${now});
     ${audit(id, 'admin.created')}`,
  )
  console.log(`Created admin ${address}`)
  if (!values.password) console.log(`Password (shown once): ${password}`)
}
