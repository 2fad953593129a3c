/**
 * Import this first in a page or worker whose Content-Security-Policy has no 'unsafe-eval' (the
 * web app, its service worker, the extension): zod then never compiles parsers with
 * `new Function`, and never probes whether it may, which browsers report as a CSP violation. It
 * must run before any schema is built, because zod decides when a schema is constructed.
 */
import { z } from 'zod'

z.config({ jitless: true })
