import { HttpError } from '../lib/errors.ts'
import { decodeCursor, encodeCursor } from '../lib/time.ts'

export interface Page<Row> {
  rows: Row[]
  nextCursor: string | null
}

export interface KeysetOptions {
  from: string
  /** Columns that must equal a value; an undefined or empty value filters nothing. */
  equals?: Record<string, string | number | undefined>
  /** Extra conditions, each with its bound value (an array binds several). */
  where?: [string, unknown][]
  cursor: string | undefined
  limit: number
  key?: 'created' | 'id'
}

/**
 * One page of a list, newest first, by keyset on `(created_at, id)` (or `id` alone for the audit
 * log): stable while rows are added, and served by the list indexes.
 */
export async function keysetPage<Row extends { id: string | number; created_at: number }>(
  db: D1Database,
  options: KeysetOptions,
): Promise<Page<Row>> {
  const query = keysetQuery<Row>(db, options)
  const { results } = await query.statement.all<Row>()
  return query.page(results)
}

/**
 * `keysetPage` in two halves: the statement, to run alone or in a `batch`, and the page made of
 * its rows. Throws a 400 for a cursor this server did not give out.
 */
export function keysetQuery<Row extends { id: string | number; created_at: number }>(
  db: D1Database,
  options: KeysetOptions,
): { statement: D1PreparedStatement; page: (results: Row[]) => Page<Row> } {
  const key = options.key ?? 'created'
  const where = [...(options.where ?? [])]
  for (const [column, value] of Object.entries(options.equals ?? {}))
    if (value !== undefined && value !== '') where.push([`${column} = ?`, value])
  const cursor = decodeCursor(options.cursor)
  if (options.cursor) {
    const valid = cursor && (key === 'id' ? cursor.length === 1 : cursor.length === 2)
    if (!valid)
      throw new HttpError(
        400,
        'validation_failed',
        'Invalid query: cursor is not one this server gave out.',
      )
    where.push(key === 'id' ? ['id < ?', cursor[0]] : ['(created_at, id) < (?, ?)', cursor])
  }
  const clause = where.length ? `WHERE ${where.map(([sql]) => sql).join(' AND ')}` : ''
  const binds = where.flatMap(([, value]) => (Array.isArray(value) ? value : [value]))
  const order = key === 'id' ? 'id DESC' : 'created_at DESC, id DESC'
  const statement = db
    .prepare(`SELECT * FROM ${options.from} ${clause} ORDER BY ${order} LIMIT ?`)
    .bind(...binds, options.limit + 1)
  return {
    statement,
    page: (results) => {
      const rows = results.slice(0, options.limit)
      const last = rows.at(-1)
      return {
        rows,
        nextCursor:
          results.length > options.limit && last
            ? encodeCursor(key === 'id' ? [last.id] : [last.created_at, last.id])
            : null,
      }
    },
  }
}
