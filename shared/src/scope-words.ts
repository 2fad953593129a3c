import { Scope } from './schemas/token.ts'

/**
 * What each API token scope lets a token do, in the words the web app's token list and the
 * extension's connect check both show.
 */
export const SCOPE_WORDS: Readonly<Record<Scope, string>> = {
  'jobs:read': 'see jobs and their progress',
  'jobs:write': 'add, pause, resume, cancel and delete jobs',
  'files:read': 'download files',
}

/**
 * The scopes the browser extension uses (all of them): what the web app's "Connect the browser
 * extension" helper gives its token and what the extension's options page asks for.
 */
export const EXTENSION_SCOPES: readonly Scope[] = Scope.options
