import { env, SELF } from 'cloudflare:test'
import { createClient, type Client, type Scope } from '@tseeder/shared'
import { SESSION_COOKIE } from '../src/middleware/authenticate.ts'
import { assertMatchesOpenApi } from './openapi-conformance.ts'
import { assertSentAsParsed } from './sent-as-built.ts'

export const PASSWORD = 'correct horse battery staple'
export const BASE_URL = 'https://tseeder.test'

export function randomIp(): string {
  const octet = () => Math.floor(Math.random() * 250) + 1
  return `203.0.${octet()}.${octet()}`
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}@example.test`
}

export interface Browser {
  api: Client
  /** fetch with this browser's cookie and IP, for requests the client does not make. */
  fetch: (input: string | Request, init?: RequestInit) => Promise<Response>
  cookie: string | null
}

/** A browser talking to the Worker: a cookie jar and a client IP in front of `SELF.fetch`. */
export function browser(ip = randomIp()): Browser {
  const state: Browser = {
    cookie: null,
    api: undefined as unknown as Client,
    fetch: async (input, init) => {
      const request = new Request(
        typeof input === 'string' ? new URL(input, BASE_URL) : input,
        init,
      )
      const headers = new Headers(request.headers)
      if (state.cookie) headers.set('cookie', `${SESSION_COOKIE}=${state.cookie}`)
      headers.set('cf-connecting-ip', ip)
      const response = await SELF.fetch(new Request(request, { headers }))
      await assertMatchesOpenApi(request, response)
      await assertSentAsParsed(request, response)
      const setCookie = response.headers.get('set-cookie')
      const match = setCookie && new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(setCookie)
      if (match) state.cookie = match[1] || null
      return response
    },
  }
  state.api = createClient({ baseUrl: BASE_URL, fetch: (request) => state.fetch(request) })
  return state
}

export interface SignedUp extends Browser {
  email: string
  userId: string
}

/** Registers a new user in a fresh browser; accepts the AUP unless told not to. */
export async function signUp(
  options: { email?: string; acceptAup?: boolean; ip?: string } = {},
): Promise<SignedUp> {
  const b = browser(options.ip)
  const email = options.email ?? uniqueEmail()
  const { user } = await b.api.register({ body: { email, password: PASSWORD } })
  if (options.acceptAup !== false) await b.api.acceptAup({ body: { accept: true } })
  return Object.assign(b, { email, userId: user.id })
}

/**
 * Makes an existing account an admin the way `npm run admin:create` does: straight in D1, since
 * no API request can grant the role.
 */
export async function promoteToAdmin(userId: string): Promise<void> {
  await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(userId).run()
}

/** A signed-up account promoted to admin through D1 (see `promoteToAdmin`). */
export async function signUpAdmin(options: Parameters<typeof signUp>[0] = {}): Promise<SignedUp> {
  const admin = await signUp(options)
  await promoteToAdmin(admin.userId)
  return admin
}

/** A bearer-token client for `owner` with the given scopes. */
export async function tokenClient(
  owner: Browser,
  scopes: Scope[],
): Promise<{ api: Client; token: string; id: string }> {
  const created = await owner.api.createToken({
    body: { name: `test ${scopes.join(',')}`, scopes },
  })
  const api = createClient({
    baseUrl: BASE_URL,
    auth: { type: 'bearer', token: created.token },
    fetch: async (request) => {
      const response = await SELF.fetch(request)
      await assertMatchesOpenApi(request, response)
      await assertSentAsParsed(request, response)
      return response
    },
  })
  return { api, token: created.token, id: created.id }
}

/** Runs `promise` and returns the ApiError it rejects with (fails the test if it resolves). */
export async function apiError(promise: Promise<unknown>) {
  const { ApiError } = await import('@tseeder/shared')
  try {
    await promise
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('Expected the call to fail, but it succeeded')
}

export async function auditRows(action: string, targetId?: string) {
  const { results } = await env.DB.prepare(
    `SELECT * FROM audit_logs WHERE action = ? ${targetId ? 'AND target_id = ?' : ''} ORDER BY id`,
  )
    .bind(...(targetId ? [action, targetId] : [action]))
    .all<Record<string, unknown>>()
  return results
}
