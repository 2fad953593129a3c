// A person's browser session, as a script would hold it: the typed client with a cookie jar, and
// the user's event stream read with fetch + cookie and `readEventStream`.
import { randomUUID } from 'node:crypto'
import {
  type Client,
  createClient,
  type JobEvent,
  JobEvent as JobEventSchema,
  readEventStream,
  streams,
} from '@tseeder/shared'

export interface Session {
  api: Client
  email: string
  /** `fetch` with this session's cookie (downloads, streams). */
  fetch(url: string, init?: RequestInit): Promise<Response>
}

export interface SessionOptions {
  /**
   * The client's address, sent as `cf-connecting-ip` on every request (the Worker's per-address
   * limits key on it): many users from their own addresses, none sharing a limit.
   */
  ip?: string
}

export function session(baseUrl: string, options: SessionOptions = {}): Session {
  const jar = new Map<string, string>()
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') jar.delete(name)
      else jar.set(name, value)
    }
    return response
  }
  const api = createClient({
    baseUrl,
    auth: { type: 'cookie' },
    fetch: async (request) => {
      if (jar.size) request.headers.set('cookie', cookie())
      if (options.ip) request.headers.set('cf-connecting-ip', options.ip)
      return remember(await fetch(request))
    },
  })
  return {
    api,
    email: '',
    async fetch(url, init = {}) {
      const headers = new Headers(init.headers)
      if (jar.size) headers.set('cookie', cookie())
      if (options.ip) headers.set('cf-connecting-ip', options.ip)
      return remember(await fetch(new URL(url, baseUrl), { ...init, headers }))
    },
  }
}

/** A new account that has accepted the acceptable use policy. */
export async function signUp(baseUrl: string, options: SessionOptions = {}): Promise<Session> {
  const user = session(baseUrl, options)
  user.email = `e2e-${randomUUID().slice(0, 8)}@example.com`
  await user.api.register({ body: { email: user.email, password: `pw-${randomUUID()}` } })
  await user.api.acceptAup({ body: { accept: true } })
  return user
}

export async function signIn(baseUrl: string, email: string, password: string): Promise<Session> {
  const user = session(baseUrl)
  user.email = email
  await user.api.login({ body: { email, password } })
  return user
}

/** The user's `/api/events` stream, collected in the background until `close()`. */
export async function watchEvents(user: Session) {
  const controller = new AbortController()
  const response = await user.fetch(streams.userEvents.path, {
    headers: { accept: 'text/event-stream' },
    signal: controller.signal,
  })
  if (!response.ok) throw new Error(`GET /api/events answered ${response.status}`)
  const events: JobEvent[] = []
  const waiters = new Set<() => void>()
  const done = (async () => {
    try {
      for await (const message of readEventStream(response.body!)) {
        const event = JobEventSchema.parse(JSON.parse(message.data))
        if (event.type !== message.event) throw new Error(`event: ${message.event} ≠ ${event.type}`)
        events.push(event)
        for (const wake of waiters) wake()
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error
    }
  })()
  return {
    events,
    /** Events of one job, in arrival order. */
    of: (jobId: string) => events.filter((e) => e.jobId === jobId),
    /** Resolves once `predicate` holds for the events seen so far. */
    async until(predicate: (events: JobEvent[]) => boolean, timeoutMs: number) {
      const deadline = Date.now() + timeoutMs
      while (!predicate(events)) {
        if (Date.now() > deadline) throw new Error('timed out waiting for events')
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake)
            clearTimeout(timer)
            resolve()
          }
          const timer = setTimeout(wake, 500)
          waiters.add(wake)
        })
      }
    },
    async close() {
      controller.abort()
      await done
    },
  }
}
