// npm run admin:create -- <email> [--password <password>] [--remote] [--persist-to <dir>]
//
// Makes <email> an administrator in the D1 database that `npm start` uses (.state/wrangler, or
// --persist-to), or the production one with --remote. An existing account is promoted and keeps its password; otherwise the
// account is created with the given password or a generated one, printed once.
import { parseArgs } from 'node:util'
import { Email, Password } from '@tseeder/shared'
import { createOrPromoteAdmin, type D1Target } from '@tseeder/testkit/admin'

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

const target: D1Target = values.remote
  ? { remote: true }
  : { remote: false, persistTo: values['persist-to'] ?? '.state/wrangler' }
let result
try {
  result = await createOrPromoteAdmin(target, email.data, values.password)
} catch (error) {
  const { stdout, stderr } = error as { stdout?: string; stderr?: string }
  fail(`wrangler d1 execute failed:\n${[stderr, stdout].filter(Boolean).join('\n') || error}`)
}
if (!result.created) {
  console.log(`${email.data} is now an admin (existing account, password unchanged).`)
} else {
  console.log(`Created admin ${email.data}`)
  if (!values.password) console.log(`Password (shown once): ${result.password}`)
}
