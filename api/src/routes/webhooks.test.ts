import { env } from 'cloudflare:test'
import { hmacHex, MAX_WEBHOOKS_PER_USER, type WebhookPayload } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import { apiError, signUp, tokenClient, type SignedUp } from '../../test/helpers.ts'
import { dispatchedJob, storedJob, waitFor } from '../../test/pipeline.ts'
import type { ReceivedWebhook } from '../../test/webhook-receiver.ts'
import { deliverDueWebhooks } from '../webhooks/deliver.ts'
import { sealPlainWebhookSecrets } from '../webhooks/secrets.ts'

const receiver = env.TEST_WEBHOOK_RECEIVER

/** A path of its own on the test receiver, which checks signatures with `secret`. */
function endpointPath(): string {
  return `/hook/${crypto.randomUUID()}`
}

async function tellSecret(path: string, secret: string) {
  await fetch(`${receiver}/_secret?path=${encodeURIComponent(path)}&secret=${secret}`)
}

async function received(path: string): Promise<ReceivedWebhook[]> {
  return (await fetch(`${receiver}/_received?path=${encodeURIComponent(path)}`)).json()
}

async function failNext(path: string, times: number) {
  await fetch(`${receiver}/_fail?path=${encodeURIComponent(path)}&times=${times}`)
}

async function registered(user: SignedUp, events?: ('job.completed' | 'job.failed')[]) {
  const path = endpointPath()
  const hook = await user.api.createWebhook({
    body: { url: `${receiver}${path}`, ...(events ? { events } : {}) },
  })
  await tellSecret(path, hook.secret)
  return { hook, path }
}

describe('webhook registration', () => {
  it('refuses http:// and private hosts with a 400 that says why', async () => {
    const user = await signUp()
    const http = await apiError(user.api.createWebhook({ body: { url: 'http://example.com/h' } }))
    expect(http.status).toBe(400)
    expect(http.message).toBe('Invalid body: url must use https:// (http:// is not allowed).')
    const metadata = await apiError(
      user.api.createWebhook({ body: { url: 'https://169.254.169.254/latest' } }),
    )
    expect(metadata.status).toBe(400)
    expect(metadata.message).toBe(
      'Invalid body: url points at a private or reserved address (169.254.169.254).',
    )
    const local = await apiError(user.api.createWebhook({ body: { url: 'https://localhost/h' } }))
    expect(local.message).toMatch(/url must name a public host/)
    expect(local.issues).toEqual([{ path: ['url'], message: expect.any(String) }])
  })

  it('shows the secret once, lists webhooks without it, and keeps to the per-user limit', async () => {
    const user = await signUp()
    const created = await user.api.createWebhook({ body: { url: 'https://hooks.example.com/a' } })
    expect(created.secret).toMatch(/^whsec_/)
    expect(created.events).toEqual(['job.completed', 'job.failed'])
    const { webhooks } = await user.api.listWebhooks()
    const { secret: _, ...listed } = created
    expect(webhooks).toEqual([listed])
    expect(JSON.stringify(webhooks)).not.toContain(created.secret)
    for (let i = 1; i < MAX_WEBHOOKS_PER_USER; i++) {
      await user.api.createWebhook({ body: { url: `https://hooks.example.com/${i}` } })
    }
    const over = await apiError(user.api.createWebhook({ body: { url: 'https://x.example.com/' } }))
    expect(over.status).toBe(409)
    expect(over.message).toBe(
      `An account may have at most ${MAX_WEBHOOKS_PER_USER} webhooks; delete one first.`,
    )
  })

  it('is for browser sessions only, and each user sees and deletes only their own', async () => {
    const user = await signUp()
    const other = await signUp()
    const { hook } = await registered(user)
    const { api } = await tokenClient(user, ['jobs:read', 'jobs:write', 'files:read'])
    expect((await apiError(api.listWebhooks())).code).toBe('session_required')
    expect((await other.api.listWebhooks()).webhooks).toEqual([])
    expect((await apiError(other.api.deleteWebhook({ params: { id: hook.id } }))).status).toBe(404)
    await user.api.deleteWebhook({ params: { id: hook.id } })
    expect((await user.api.listWebhooks()).webhooks).toEqual([])
  })
})

describe('webhook delivery', () => {
  it('POSTs job.completed with the job and its files, signed with the endpoint’s secret', async () => {
    const user = await signUp()
    const { hook, path } = await registered(user)
    const { job, files } = await storedJob(user)
    const [delivery] = await waitFor(async () => {
      const got = await received(path)
      return got.length ? got : null
    })
    expect(delivery!.validSignature).toBe(true)
    expect(delivery!.event).toBe('job.completed')
    const payload = JSON.parse(delivery!.body) as WebhookPayload
    expect(payload).toMatchObject({
      event: 'job.completed',
      job: { id: job.id, status: 'completed' },
    })
    expect(payload.files.map((f) => f.path)).toEqual(files.map((f) => f.path))
    expect(payload.id).toBe(delivery!.delivery)
    expect(delivery!.signature).toBe(
      `v1=${await hmacHex(hook.secret, `${delivery!.timestamp}.${delivery!.body}`)}`,
    )
    const log = await user.api.listWebhookAttempts({ params: { id: hook.id } })
    expect(log.attempts).toMatchObject([
      { event: 'job.completed', jobId: job.id, attempt: 1, statusCode: 204, ok: true },
    ])
    expect((await user.api.listWebhooks()).webhooks[0]!.lastAttempt).toMatchObject({
      statusCode: 204,
      ok: true,
    })
  })

  it('sends job.failed only to endpoints that asked for it', async () => {
    const { user, job, agent } = await dispatchedJob()
    const wantsFailures = await registered(user, ['job.failed'])
    const wantsCompletions = await registered(user, ['job.completed'])
    await agent.send({ type: 'failed', code: 'no_peers', message: 'No peers.', retryable: false })
    const [delivery] = await waitFor(async () => {
      const got = await received(wantsFailures.path)
      return got.length ? got : null
    })
    expect(JSON.parse(delivery!.body)).toMatchObject({
      event: 'job.failed',
      job: { id: job.id, status: 'failed' },
    })
    expect(await received(wantsCompletions.path)).toEqual([])
  })

  it('retries after a 500 with backoff, and the log shows both attempts', async () => {
    const user = await signUp()
    const { hook, path } = await registered(user)
    await failNext(path, 1)
    await storedJob(user)
    const first = await waitFor(async () => {
      const { attempts } = await user.api.listWebhookAttempts({ params: { id: hook.id } })
      return attempts.length ? attempts : null
    })
    expect(first).toMatchObject([
      { attempt: 1, statusCode: 500, ok: false, deliveryStatus: 'pending' },
    ])
    expect(first[0]!.error).toBe('The endpoint answered 500.')
    const retryAt = Date.parse(first[0]!.nextAttemptAt!)
    expect(retryAt - Date.parse(first[0]!.at)).toBe(60_000)
    expect(await received(path)).toEqual([])

    // Not due yet: the cron's run a moment later sends nothing.
    await deliverDueWebhooks(env, retryAt - 1000)
    expect(await received(path)).toEqual([])
    await deliverDueWebhooks(env, retryAt)
    const got = await received(path)
    expect(got).toHaveLength(1)
    expect(got[0]!.validSignature).toBe(true)
    const { attempts } = await user.api.listWebhookAttempts({ params: { id: hook.id } })
    expect(attempts.map((a) => [a.attempt, a.statusCode, a.deliveryStatus])).toEqual([
      [2, 204, 'delivered'],
      [1, 500, 'delivered'],
    ])
  })

  it('signs with the new secret after a rotation, and the old one no longer verifies', async () => {
    const user = await signUp()
    const { hook, path } = await registered(user)
    const rotated = await user.api.rotateWebhookSecret({ params: { id: hook.id } })
    expect(rotated.secret).not.toBe(hook.secret)
    expect(Date.parse(rotated.secretRotatedAt)).toBeGreaterThanOrEqual(Date.parse(hook.createdAt))
    await tellSecret(path, rotated.secret)
    await storedJob(user)
    const [delivery] = await waitFor(async () => {
      const got = await received(path)
      return got.length ? got : null
    })
    expect(delivery!.validSignature).toBe(true)
    const withOld = `v1=${await hmacHex(hook.secret, `${delivery!.timestamp}.${delivery!.body}`)}`
    expect(delivery!.signature).not.toBe(withOld)
  })

  it('checks the URL again before every delivery and gives up on one no longer allowed', async () => {
    const user = await signUp()
    const { hook, path } = await registered(user)
    await failNext(path, 1)
    await storedJob(user)
    await waitFor(async () => {
      const { attempts } = await user.api.listWebhookAttempts({ params: { id: hook.id } })
      return attempts.length ? attempts : null
    })
    // The operator stops allowing the local receiver (as production never does).
    const strict = { ...env, WEBHOOK_LOCAL_HOSTS: '' }
    await deliverDueWebhooks(strict, Date.now() + 61_000)
    const { attempts } = await user.api.listWebhookAttempts({ params: { id: hook.id } })
    expect(attempts[0]).toMatchObject({
      attempt: 2,
      statusCode: null,
      deliveryStatus: 'failed',
      error: 'Not sent: the URL must use https:// (http:// is not allowed).',
    })
    expect(await received(path)).toEqual([])
  })
})

describe('webhook secrets at rest', () => {
  const storedSecret = async (id: string) =>
    (await env.DB.prepare('SELECT secret FROM webhooks WHERE id = ?').bind(id).first<{
      secret: string
    }>())!.secret

  const firstDelivery = (path: string) =>
    waitFor(async () => {
      const got = await received(path)
      return got.length ? got[0]! : null
    })

  it('are stored sealed to their webhook: D1 holds no secret, and one moved to another webhook does not open', async () => {
    const user = await signUp()
    const a = await registered(user)
    const b = await registered(user)
    for (const { hook } of [a, b]) {
      const stored = await storedSecret(hook.id)
      expect(stored).toMatch(/^v1\./)
      expect(stored).not.toContain(hook.secret.slice('whsec_'.length))
    }
    const rotated = await user.api.rotateWebhookSecret({ params: { id: b.hook.id } })
    expect(await storedSecret(b.hook.id)).not.toContain(rotated.secret.slice('whsec_'.length))
    await tellSecret(b.path, rotated.secret)
    // Someone who can write D1 copies A's sealed secret into B: it does not open there.
    await env.DB.prepare('UPDATE webhooks SET secret = ? WHERE id = ?')
      .bind(await storedSecret(a.hook.id), b.hook.id)
      .run()
    await storedJob(user)
    expect((await firstDelivery(a.path)).validSignature).toBe(true)
    const [attempt] = await waitFor(async () => {
      const { attempts } = await user.api.listWebhookAttempts({ params: { id: b.hook.id } })
      return attempts.length ? attempts : null
    })
    expect(attempt).toMatchObject({
      attempt: 1,
      statusCode: null,
      ok: false,
      deliveryStatus: 'failed',
      error:
        "Not sent: the server can no longer read this webhook's secret. Rotate the secret to resume deliveries.",
    })
    expect(await received(b.path)).toEqual([])
  })

  it('seals a secret stored plain before sealing existed, and signs with it before and after', async () => {
    const user = await signUp()
    const { hook, path } = await registered(user)
    const plain = `whsec_${'l'.repeat(43)}`
    await env.DB.prepare('UPDATE webhooks SET secret = ? WHERE id = ?').bind(plain, hook.id).run()
    await tellSecret(path, plain)
    await storedJob(user)
    expect((await firstDelivery(path)).validSignature).toBe(true)

    expect(await sealPlainWebhookSecrets(env)).toBeGreaterThanOrEqual(1)
    const sealed = await storedSecret(hook.id)
    expect(sealed).toMatch(/^v1\./)
    expect(sealed).not.toContain('l'.repeat(43))
    expect(await sealPlainWebhookSecrets(env)).toBe(0)
    await storedJob(user)
    const got = await waitFor(async () => {
      const all = await received(path)
      return all.length === 2 ? all : null
    })
    expect(got.map((d) => d.validSignature)).toEqual([true, true])
  })
})
