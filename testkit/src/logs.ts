// The local stack's logs stay bounded: `npm start` appends to the same files run after run, and
// wrangler writes a debug log of its own (every line it prints, and more) for each command.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** A log over this size at a start moves to `<name>.1`, replacing the one there. */
export const LOG_ROTATE_BYTES = 20 * 1024 * 1024
/** Wrangler's debug logs kept (one file per wrangler command), the newest. */
export const WRANGLER_LOGS_KEPT = 5

/** Where the stack points wrangler's debug logs (`WRANGLER_LOG_PATH`), inside `logDir`. */
export const wranglerLogDir = (logDir: string) => join(logDir, 'wrangler')

/**
 * Run before a stack starts: each `*.log` in `logDir` over `maxBytes` is rotated to `*.log.1`,
 * and only the newest `keep` of wrangler's debug logs stay.
 */
export function tidyLogs(
  logDir: string,
  { maxBytes = LOG_ROTATE_BYTES, keep = WRANGLER_LOGS_KEPT } = {},
): void {
  if (!existsSync(logDir)) return
  for (const name of readdirSync(logDir)) {
    const path = join(logDir, name)
    if (name.endsWith('.log') && statSync(path).size > maxBytes) renameSync(path, `${path}.1`)
  }
  const wrangler = wranglerLogDir(logDir)
  if (!existsSync(wrangler)) return
  const logs = readdirSync(wrangler)
    .filter((name) => name.endsWith('.log'))
    .map((name) => ({ path: join(wrangler, name), at: statSync(join(wrangler, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at)
  for (const { path } of logs.slice(keep)) rmSync(path, { force: true })
}
