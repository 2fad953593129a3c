/**
 * Import this first in a page or worker whose Content-Security-Policy has no 'unsafe-eval' (the
 * web app, its service worker, the extension): zod then never compiles parsers with
 * `new Function`, and never probes whether it may, which browsers report as a CSP violation. It
 * must run before any schema is built, because zod decides when a schema is constructed.
 *
 * It sets zod's global settings object (`globalThis.__zod_globalConfig`, which every copy of zod
 * adopts when it loads, or already uses) instead of calling `z.config()`, so importing it does not
 * load zod: the web app's first page has no schema and does not load zod at all. jitless.test.ts
 * checks that zod still reads its settings from there.
 */
const scope = globalThis as { __zod_globalConfig?: { jitless?: boolean } }
scope.__zod_globalConfig ??= {}
scope.__zod_globalConfig.jitless = true

export {}
