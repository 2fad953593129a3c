import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { apiError, signUp } from '../../test/helpers.ts'
import { browserSubscription } from '../../test/web-push.ts'
import { MAX_PUSH_SUBSCRIPTIONS } from './push.ts'

// The test environment allows one push service, push.example.test (vitest.config.ts).
const pushEndpoint = () => `https://push.example.test/send/${crypto.randomUUID()}`

async function storedSubscriptions(userId: string) {
  const { results } = await env.DB.prepare(
    'SELECT endpoint, p256dh, user_id FROM push_subscriptions WHERE user_id = ? ORDER BY rowid',
  )
    .bind(userId)
    .all<{ endpoint: string; p256dh: string; user_id: string }>()
  return results
}

describe('push subscriptions', () => {
  it('refuses an endpoint that is not a known push service, such as a loopback address', async () => {
    const user = await signUp()
    for (const endpoint of [
      'https://127.0.0.1:8443/send/x',
      'https://[::1]/send/x',
      'https://metadata.internal/send/x',
      'https://push.example.test:8443/send/x',
      'https://push.example.test.attacker.test/send/x',
      'https://me@push.example.test/send/x',
    ]) {
      const browser = await browserSubscription(endpoint)
      const error = await apiError(user.api.subscribePush({ body: browser.json }))
      expect({ endpoint, status: error.status, code: error.code }).toEqual({
        endpoint,
        status: 400,
        code: 'bad_request',
      })
      expect(error.message).toMatch(/push service/)
    }
    expect(await storedSubscriptions(user.userId)).toEqual([])
    const sub = await browserSubscription('https://eu.push.example.test/send/x')
    await user.api.subscribePush({ body: sub.json })
    expect(await storedSubscriptions(user.userId)).toHaveLength(1)
  })

  it('never moves a subscription to another user who posts the same endpoint', async () => {
    const alice = await signUp()
    const bob = await signUp()
    const endpoint = pushEndpoint()
    const aliceBrowser = await browserSubscription(endpoint)
    await alice.api.subscribePush({ body: aliceBrowser.json })
    const bobBrowser = await browserSubscription(endpoint)
    const error = await apiError(bob.api.subscribePush({ body: bobBrowser.json }))
    expect(error.status).toBe(409)
    expect(error.code).toBe('conflict')
    expect(await storedSubscriptions(bob.userId)).toEqual([])
    expect(await storedSubscriptions(alice.userId)).toEqual([
      { endpoint, p256dh: aliceBrowser.json.keys.p256dh, user_id: alice.userId },
    ])
    // The owner posting it again (new keys after a browser refresh) still works.
    const refreshed = await browserSubscription(endpoint)
    await alice.api.subscribePush({ body: refreshed.json })
    expect((await storedSubscriptions(alice.userId))[0]!.p256dh).toBe(refreshed.json.keys.p256dh)
  })

  it(`keeps at most ${MAX_PUSH_SUBSCRIPTIONS} subscriptions per user, dropping the oldest`, async () => {
    const user = await signUp()
    const endpoints: string[] = []
    for (let i = 0; i < MAX_PUSH_SUBSCRIPTIONS + 2; i++) {
      endpoints.push(pushEndpoint())
      await user.api.subscribePush({ body: (await browserSubscription(endpoints[i]!)).json })
    }
    expect((await storedSubscriptions(user.userId)).map((s) => s.endpoint)).toEqual(
      endpoints.slice(2),
    )
  })
})
