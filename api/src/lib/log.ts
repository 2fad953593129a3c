type Fields = Record<string, unknown>

function write(level: 'info' | 'warn' | 'error', msg: string, fields: Fields) {
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields })
  if (level === 'error') console.error(line)
  else if (level === 'warn') console.warn(line)
  else console.log(line)
}

/**
 * Structured logs: one JSON object per line, with the request or job id in the fields. Never
 * pass secrets, tokens, passwords or full magnet links.
 */
export const log = {
  info: (msg: string, fields: Fields = {}) => write('info', msg, fields),
  warn: (msg: string, fields: Fields = {}) => write('warn', msg, fields),
  error: (msg: string, fields: Fields = {}) => write('error', msg, fields),
}

/**
 * A request path fit for the logs: a `/dl/` or `/dl/zip/` token is a bearer capability for a
 * user's files, so the access log records the route pattern in its place.
 */
export function loggablePath(path: string): string {
  return path.replace(/^\/dl\/(zip\/)?[^/]*/, (_, zip?: string) => `/dl/${zip ?? ''}:token`)
}
