import { describe, expect, it } from 'vitest'
import { ApiError } from './client.ts'
import { endpoints } from './endpoints.ts'
import { routes } from './routes.ts'
import { createSameOriginClient } from './same-origin-client.ts'

function clientAnswering(status: number, body: unknown) {
  const requests: Request[] = []
  const api = createSameOriginClient({
    baseUrl: 'http://127.0.0.1:8787',
    auth: { type: 'cookie', csrfToken: 't' },
    fetch: async (request) => {
      requests.push(request)
      const text = body === undefined ? null : JSON.stringify(body)
      return new Response(text, { status, headers: { 'content-type': 'application/json' } })
    },
  })
  return { api, requests }
}

describe('createSameOriginClient', () => {
  it('calls every endpoint where the endpoint table says, and knows which answer 204', () => {
    for (const [name, endpoint] of Object.entries(endpoints)) {
      const route: { method: string; path: string; response?: null } =
        routes[name as keyof typeof routes]
      expect([name, route.method, route.path]).toEqual([name, endpoint.method, endpoint.path])
      expect([name, route.response === null]).toEqual([name, endpoint.response === null])
    }
    expect(Object.keys(routes).sort()).toEqual(Object.keys(endpoints).sort())
  })

  it('returns an answer as the server sent it, without parsing it', async () => {
    const { api, requests } = clientAnswering(200, {
      jobs: [{ id: 'j', extra: 1 }],
      nextCursor: null,
    })
    expect(await api.listJobs({ query: { status: 'queued' } })).toEqual({
      jobs: [{ id: 'j', extra: 1 }],
      nextCursor: null,
    })
    expect(requests[0]!.url).toBe('http://127.0.0.1:8787/api/jobs?status=queued')
  })

  it('sends the CSRF token on changes and resolves 204 answers to undefined', async () => {
    const { api, requests } = clientAnswering(204, undefined)
    expect(await api.revokeSession({ params: { id: 's1' } })).toBeUndefined()
    expect(requests[0]!.method).toBe('DELETE')
    expect(requests[0]!.headers.get('x-csrf-token')).toBe('t')
  })

  it("turns the contract's error answer into an ApiError", async () => {
    const body = { error: { code: 'quota_exceeded', message: 'Too many', limit: 'active_jobs' } }
    const error = await clientAnswering(429, body)
      .api.listJobs()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 429, code: 'quota_exceeded', limit: 'active_jobs' })
  })

  it('answers a generic error for an error page that is not the contract (a proxy, a CDN)', async () => {
    for (const body of ['<html>Bad gateway</html>', { error: 'down' }, { error: { code: 5 } }]) {
      const error = await clientAnswering(502, body)
        .api.me()
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ status: 502, code: 'http_error' })
    }
  })
})
