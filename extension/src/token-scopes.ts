// What an API token may do, checked on Connect. No endpoint answers a token's scopes, so each
// scope is probed with a call that changes nothing: the API refuses a token without the scope
// (403 insufficient_scope) before it looks anything up, and answers "no such job" (404) to a
// token with it, for a made-up id.
import { ApiError, type Client, EXTENSION_SCOPES, Scope, SCOPE_WORDS } from '@tseeder/shared'

/** An id no job or file has: ids are UUIDs. */
const PROBE_ID = 'tseeder-extension-scope-check'

const PROBES: Record<Scope, (client: Client) => Promise<unknown>> = {
  'jobs:read': (client) => client.getJob({ params: { id: PROBE_ID } }),
  'jobs:write': (client) => client.pauseJob({ params: { id: PROBE_ID } }),
  'files:read': (client) => client.createFileLink({ params: { id: PROBE_ID } }),
}

/** Without these the extension can neither list nor send: Connect refuses a token lacking one. */
export const REQUIRED_SCOPES: readonly Scope[] = ['jobs:read', 'jobs:write']

/** The scopes the token holds, of those the extension uses. Other failures are thrown as is. */
export async function probeScopes(client: Client): Promise<Scope[]> {
  const held = await Promise.all(
    EXTENSION_SCOPES.map(async (scope) => {
      try {
        await PROBES[scope](client)
        return true
      } catch (error) {
        if (error instanceof ApiError && error.code === 'insufficient_scope') return false
        // Past the scope check: no such job or file, or the policy still to accept.
        if (error instanceof ApiError && (error.status === 404 || error.code === 'aup_required')) {
          return true
        }
        throw error
      }
    }),
  )
  return EXTENSION_SCOPES.filter((_, i) => held[i])
}

/** "jobs:read, jobs:write and files:read": what the options page asks a token to have. */
export const EXTENSION_SCOPES_TEXT = list([...EXTENSION_SCOPES], 'and')

const CREATE_ONE = `Create a token with ${EXTENSION_SCOPES_TEXT} in tseeder (Settings → API tokens)`

/**
 * What a token holding `held` can do and what it cannot, for the options page; null when it
 * holds every scope the extension uses.
 *
 * @example missingScopesMessage(['jobs:read'])
 * // "This token can see jobs and their progress, but not add, … Create a token with …"
 */
export function missingScopesMessage(held: readonly Scope[]): string | null {
  const missing = EXTENSION_SCOPES.filter((scope) => !held.includes(scope))
  if (missing.length === 0) return null
  const words = (scopes: readonly Scope[], last: string) =>
    list(
      scopes.map((scope) => SCOPE_WORDS[scope]),
      last,
    )
  const can = EXTENSION_SCOPES.filter((scope) => held.includes(scope))
  const what = can.length
    ? `This token can ${words(can, 'and')}, but not ${words(missing, 'or')}.`
    : `This token cannot ${words(missing, 'or')}.`
  return `${what} ${CREATE_ONE} and paste it here.`
}

/**
 * For a connected token without `files:read` (Connect refuses one without the others): what
 * the popup leaves out, and how to get it; null when it has the scope or its scopes are unknown.
 */
export function downloadScopeNote(held: readonly Scope[] | undefined): string | null {
  if (!held || held.includes('files:read')) return null
  return `This token cannot ${SCOPE_WORDS['files:read']} (it lacks files:read), so the popup offers no downloads. To download from the popup, create a token with ${EXTENSION_SCOPES_TEXT} in tseeder (Settings → API tokens), then Disconnect and connect with it.`
}

/** A call refused for a missing scope (Send, an action, a download), in words; null otherwise. */
export function scopeFailureMessage(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.code !== 'insufficient_scope') return null
  const named = Scope.safeParse(/"([^"]+)"/.exec(error.message)?.[1])
  const lacks = named.success
    ? `cannot ${SCOPE_WORDS[named.data]} (it lacks ${named.data})`
    : 'lacks a scope this needs'
  return `This extension’s token ${lacks}. ${CREATE_ONE} and connect again in the extension’s options.`
}

/** "a", "a and b", "a, b and c" (or "or"); "a; b, c; and d" when an item has a comma. */
function list(items: readonly string[], last: string): string {
  if (items.length <= 1) return items.join('')
  const head = items.slice(0, -1)
  if (items.some((item) => item.includes(','))) {
    return `${head.join('; ')}; ${last} ${items.at(-1)}`
  }
  return `${head.join(', ')} ${last} ${items.at(-1)}`
}
