// Admin accounts written straight into D1 through `wrangler d1 execute`: used by
// `npm run admin:create` and by `npm start` for the first admin.
import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { hashPassword, randomToken } from '../../api/src/lib/crypto.ts'
import { billingPeriod } from '../../api/src/lib/time.ts'
import { wranglerLogDir } from './logs.ts'

/** Which D1: the local one persisted in `persistTo`, or the production one (`remote`). */
export type D1Target = { remote: true } | { remote: false; persistTo: string }

export const sql = (text: string) => `'${text.replace(/'/g, "''")}'`

/** Runs SQL with `wrangler d1 execute DB --json` and returns every row of every statement. */
export async function d1(
  target: D1Target,
  command: string,
  cwd?: string,
): Promise<Array<Record<string, unknown>>> {
  const args = ['wrangler', 'd1', 'execute', 'DB', '--json', '--command', command]
  if (target.remote) args.push('--remote')
  else args.push('--local', '--persist-to', target.persistTo)
  const { stdout } = await promisify(execFile)('npx', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      // A local D1's debug log goes to the logs beside it (`<state>/logs`, as the stack's), not
      // to ~/.config/.wrangler/logs, where nothing ever removes it.
      ...(target.remote
        ? {}
        : { WRANGLER_LOG_PATH: wranglerLogDir(join(dirname(target.persistTo), 'logs')) }),
    },
  })
  const parsed = JSON.parse(stdout) as Array<{ results: Array<Record<string, unknown>> }>
  return parsed.flatMap((statement) => statement.results)
}

/** True when any account has the admin role. */
export async function anyAdminExists(target: D1Target, cwd?: string): Promise<boolean> {
  return (await d1(target, `SELECT id FROM users WHERE role = 'admin' LIMIT 1`, cwd)).length > 0
}

export type AdminResult =
  | { created: false }
  /** `password` is the one set: given or generated; it is stored nowhere but as a hash in D1. */
  | { created: true; password: string }

/**
 * Makes `email` an administrator. An existing account is promoted and keeps its password;
 * otherwise the account is created with `password` or a generated one (returned, never stored).
 */
export async function createOrPromoteAdmin(
  target: D1Target,
  email: string,
  password?: string,
  cwd?: string,
): Promise<AdminResult> {
  const now = Date.now()
  const [existing] = await d1(target, `SELECT id FROM users WHERE email = ${sql(email)}`, cwd)
  const audit = (userId: string, action: string) =>
    `INSERT INTO audit_logs (created_at, actor_type, action, target_type, target_id, meta)
     VALUES (${now}, 'system', ${sql(action)}, 'user', ${sql(userId)}, '{"via":"admin:create"}')`

  if (existing) {
    const id = String(existing.id)
    await d1(
      target,
      `UPDATE users SET role = 'admin', updated_at = ${now} WHERE id = ${sql(id)}; ${audit(id, 'admin.promoted')}`,
      cwd,
    )
    return { created: false }
  }
  const chosen = password ?? randomToken(15)
  const hash = await hashPassword(chosen)
  const id = crypto.randomUUID()
  await d1(
    target,
    `INSERT INTO users (id, email, password_hash, password_salt, password_iterations, role, created_at, updated_at)
     VALUES (${sql(id)}, ${sql(email)}, ${sql(hash.hash)}, ${sql(hash.salt)}, ${hash.iterations}, 'admin', ${now}, ${now});
     INSERT INTO usage (user_id, bandwidth_period, updated_at) VALUES (${sql(id)}, ${sql(billingPeriod(now))}, ${now});
     ${audit(id, 'admin.created')}`,
    cwd,
  )
  return { created: true, password: chosen }
}
