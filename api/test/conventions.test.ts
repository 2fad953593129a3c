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
