import { env } from 'cloudflare:test'
import type { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { agentProtocol, endpoints } from '@tseeder/shared'
import { app, routeModules } from '../src/app.ts'

/**
 * A query written outside `src/db/`: a prepared statement, a Durable Object storage query, an
 * SQL string, or a `WHERE` fragment (`user_id = ?`) handed to a db/ helper.
 */
const SQL =
  /\.prepare\(|\bsql\.exec\(|['"`]\s*(?:SELECT|INSERT|UPDATE|DELETE FROM|CREATE TABLE)\s|\b[a-z_]+ (?:=|<|>|<>|LIKE) \?/

/** Modules allowed to hold SQL outside `src/db/`, each with its reason. */
const SQL_OUTSIDE_DB: string[] = []

/** SQL that writes what a job list kept by the user's object read (`durable/user-reads.ts`). */
const KEPT_TABLE_WRITE =
  /(?:UPDATE|INSERT INTO|INSERT OR [A-Z]+ INTO|DELETE FROM)\s+(?:jobs|users|sessions|api_tokens)\b/

/**
 * Every `src/db/` function that writes those tables, and how the owner's object hears of it (or
 * why it need not). A new writer fails the test below until it is listed here, with its notice.
 */
const KEPT_READ_WRITERS: Record<string, string> = {
  // The user's row.
  insertUserStatements: 'a new user: nothing is kept for them yet',
  updateUserStatement: 'routes/admin.ts: forgetReads after the batch',
  acceptAupStatement: 'routes/auth.ts: forgetReads after the batch',
  setPasswordStatement: 'routes/account.ts: forgetReads after each batch',
  deleteUserStatement: 'routes/account.ts: forgetReads after the batch',
  // Sessions and tokens.
  insertSessionStatement: 'a new credential: nothing is kept for it yet',
  openSessionAudited: 'UserSessionDO.openSession forgets when it evicts',
  revokeSession: 'UserSessionDO.revokeSession forgets',
  revokeAllSessions: 'UserSessionDO.revokeAll forgets',
  revokeSessionsOf: 'its callers call closeStreams for each session, which forgets',
  insertTokenStatement: 'a new credential: nothing is kept for it yet',
  revokeToken: 'routes/tokens.ts calls closeStreams, which forgets',
  touchSession: 'the object keeps the last use it answered (UserReads.answer)',
  touchToken: 'the object keeps the last use it answered (UserReads.answer)',
  // The user's jobs.
  insertJobStatement: 'jobs/submit.ts: forgetReads after the batch',
  dropJobOverActiveLimitStatement: 'jobs/submit.ts: in the same batch',
  deleteJobStatement: 'jobs/remove.ts: forgetReads after the batch',
  claimActiveSlot: 'JobProgressDO.holding: forgetReads once it is claimed',
  updateJobLifecycle: "JobProgressDO's write effect: forgetReads after the batch",
  setJobName: "JobProgressDO's write effect",
  setJobSelection: "JobProgressDO's write effect",
  setJobStoredBytes: "JobProgressDO's write effect",
  setJobDownloads: "JobProgressDO's write effect",
  unfollowJob: "JobProgressDO's write effect",
  lineUpStatement: "JobProgressDO's write effect",
  handOverLeadership: 'Followers.handOver: forgetReads for each owner it returns',
  moveFollowers: 'Followers.adopt: forgetReads for each owner it returns',
}

describe('project conventions', () => {
  it('mounts every route module under src/routes', async () => {
    const modules = import.meta.glob<Record<string, unknown>>(
      ['../src/routes/*.ts', '!../src/routes/*.test.ts'],
      {
        eager: true,
      },
    )
    expect(Object.keys(modules).length).toBeGreaterThanOrEqual(5)
    const mounted = new Set<unknown>(Object.values(routeModules))
    for (const [file, exports] of Object.entries(modules)) {
      const apps = Object.values(exports).filter(
        (v): v is Hono => typeof v === 'object' && v !== null && 'routes' in v,
      )
      expect(apps.length, `${file} exports a Hono sub-app`).toBeGreaterThan(0)
      for (const sub of apps)
        expect(mounted.has(sub), `${file} is mounted in src/app.ts`).toBe(true)
    }
  })

  it('has a handler for every endpoint of the shared client table', () => {
    const registered = new Set(app.routes.map((r) => `${r.method} ${r.path}`))
    for (const [name, e] of Object.entries(endpoints)) {
      expect(registered.has(`${e.method} ${e.path}`), `${name}: ${e.method} ${e.path}`).toBe(true)
    }
  })

  it('has a handler for every route of the agent protocol the Worker serves', () => {
    const registered = new Set(app.routes.map((r) => `${r.method} ${r.path}`))
    for (const [name, e] of Object.entries(agentProtocol)) {
      if (e.server !== 'api') continue
      expect(registered.has(`${e.method} ${e.path}`), `${name}: ${e.method} ${e.path}`).toBe(true)
    }
  })

  it('exports only handlers and Durable Object classes from the Worker entry (workerd refuses anything else)', async () => {
    const entry: Record<string, unknown> = await import('../src/index.ts')
    for (const [name, value] of Object.entries(entry)) {
      if (name === 'default') continue
      expect(typeof value, `export ${name}`).toBe('function')
      expect(String(value).startsWith('class '), `export ${name} is a class`).toBe(true)
    }
  })

  it('numbers migrations 0001, 0002, … without gaps, each named NNNN_verb_noun.sql', () => {
    const names = env.TEST_MIGRATIONS.map((m) => m.name)
    names.forEach((name, i) => {
      expect(name).toMatch(/^\d{4}_[a-z]+(_[a-z0-9]+)+\.sql$/)
      expect(name.slice(0, 4)).toBe(String(i + 1).padStart(4, '0'))
    })
  })

  it("names how the user's object hears of every write to what it keeps of the job list", () => {
    const sources = import.meta.glob<string>(['../src/db/*.ts', '!../src/db/*.test.ts'], {
      eager: true,
      query: '?raw',
      import: 'default',
    })
    const writers = Object.values(sources).flatMap((text) =>
      text
        .split(/(?=^export (?:async )?function )/m)
        .filter((part) => KEPT_TABLE_WRITE.test(part))
        .map((part) => /^export (?:async )?function (\w+)/.exec(part)?.[1] ?? part.slice(0, 80)),
    )
    expect(writers.length).toBeGreaterThan(20)
    for (const writer of writers) {
      expect(
        Object.keys(KEPT_READ_WRITERS),
        `${writer} writes jobs, users, sessions or api_tokens: tell the owner's object (forgetReads) and list it here`,
      ).toContain(writer)
    }
    for (const listed of Object.keys(KEPT_READ_WRITERS))
      expect(writers, `${listed} writes none of them now: remove it from the list`).toContain(
        listed,
      )
  })

  it('keeps every SQL statement in src/db/', () => {
    const sources = import.meta.glob<string>(
      ['../src/**/*.ts', '!../src/db/**', '!../src/**/*.test.ts'],
      { eager: true, query: '?raw', import: 'default' },
    )
    expect(Object.keys(sources).length).toBeGreaterThan(20)
    const allowed = SQL_OUTSIDE_DB
    const offenders = Object.entries(sources)
      .filter(([, text]) => SQL.test(text))
      .map(([file]) => file)
    for (const file of offenders)
      expect(allowed, `${file} holds SQL: move it into a src/db/ module`).toContain(file)
    for (const file of allowed)
      expect(offenders, `${file} holds no SQL now: remove it from the allow-list`).toContain(file)
  })
})
