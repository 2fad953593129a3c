import { createExecutionContext, env } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { JobPushMessage } from '@tseeder/shared'
import { app } from '../app.ts'
import { notifyJobFinished } from './notify.ts'
import { apiError, signUp } from '../../test/helpers.ts'
import { storedJob } from '../../test/pipeline.ts'
import { browserSubscription, vapidKeys } from '../../test/web-push.ts'

afterEach(() => vi.restoreAllMocks())

// The push service is the one party that cannot run here: its fetch is intercepted, and what
// the server sent is decrypted with the subscription's own keys, as a browser would.
describe('Web Push', () => {
  it('sends "<job> finished" encrypted (RFC 8291) to each subscription of the owner', async () => {
    const user = await signUp()
    const { job } = await storedJob(user)
    const browser = await browserSubscription(
      `https://push.example.test/send/${crypto.randomUUID()}`,
    )
    await user.api.subscribePush({ body: browser.json })
    const vapid = await vapidKeys()
    const pushEnv = {
      ...env,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
    }
    const sent = vi
      .spyOn(globalThis, 'fetch')
      .mockResolvedValue(new Response(null, { status: 201 }))

    await notifyJobFinished(pushEnv, user.userId, job.id)
    expect(sent).toHaveBeenCalledTimes(1)
    const [url, init] = sent.mock.calls[0]!
    expect(String(url)).toBe(browser.json.endpoint)
    const headers = init!.headers as Record<string, string>
    expect(headers['content-encoding']).toBe('aes128gcm')
    expect(headers.authorization).toMatch(/^vapid t=.+, k=/)
    const message = JobPushMessage.parse(
      JSON.parse(await browser.decrypt(new Uint8Array(init!.body as ArrayBuffer))),
    )
    expect(message).toEqual({
      type: 'job',
      jobId: job.id,
      name: 'demo',
      status: 'completed',
      title: 'demo finished',
      body: 'Your files are ready.',
      url: `/jobs/${job.id}`,
    })
  })

  it('forgets a subscription the push service says is gone (410)', async () => {
    const user = await signUp()
    const { job } = await storedJob(user)
    const browser = await browserSubscription(
      `https://push.example.test/send/${crypto.randomUUID()}`,
    )
    await user.api.subscribePush({ body: browser.json })
    const vapid = await vapidKeys()
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(null, { status: 410 }))
    await notifyJobFinished(
      { ...env, VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey },
      user.userId,
      job.id,
    )
    const left = await env.DB.prepare(
      'SELECT COUNT(*) AS n FROM push_subscriptions WHERE user_id = ?',
    )
      .bind(user.userId)
      .first<number>('n')
    expect(left).toBe(0)
  })

  it('never contacts a stored endpoint outside the push service allow-list, and forgets it', async () => {
    const user = await signUp()
    const { job } = await storedJob(user)
    const browser = await browserSubscription('https://127.0.0.1:8443/send/saved-before-the-check')
    // A row saved before endpoints were checked (or before the operator narrowed the list).
    await env.DB.prepare(
      'INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
      .bind(
        crypto.randomUUID(),
        user.userId,
        browser.json.endpoint,
        browser.json.keys.p256dh,
        browser.json.keys.auth,
        Date.now(),
      )
      .run()
    const vapid = await vapidKeys()
    const sent = vi
      .spyOn(globalThis, 'fetch')
      .mockResolvedValue(new Response(null, { status: 201 }))
    await notifyJobFinished(
      { ...env, VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey },
      user.userId,
      job.id,
    )
    expect(sent).not.toHaveBeenCalled()
    const left = await env.DB.prepare(
      'SELECT COUNT(*) AS n FROM push_subscriptions WHERE user_id = ?',
    )
      .bind(user.userId)
      .first<number>('n')
    expect(left).toBe(0)
  })

  it('serves the VAPID public key when configured, and says clearly when it is not', async () => {
    const vapid = await vapidKeys()
    const configured = await app.request(
      '/api/push/key',
      {},
      { ...env, VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey },
      createExecutionContext(),
    )
    expect(await configured.json()).toEqual({ publicKey: vapid.publicKey })
    const user = await signUp()
    expect((await apiError(user.api.pushKey())).status).toBe(503)
  })

  it('accepts only https subscriptions, and unsubscribes', async () => {
    const user = await signUp()
    const plain = await apiError(
      user.api.subscribePush({
        body: { endpoint: 'http://push.example.test/x', keys: { p256dh: 'a', auth: 'b' } },
      }),
    )
    expect(plain.status).toBe(400)
    const browser = await browserSubscription('https://push.example.test/send/unsub')
    await user.api.subscribePush({ body: browser.json })
    await user.api.unsubscribePush({ body: { endpoint: browser.json.endpoint } })
    expect(
      await env.DB.prepare('SELECT 1 FROM push_subscriptions WHERE endpoint = ?')
        .bind(browser.json.endpoint)
        .first(),
    ).toBeNull()
  })
})
