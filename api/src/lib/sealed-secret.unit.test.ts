import { describe, expect, it } from 'vitest'
import { HttpError } from './errors.ts'
import { isSealed, open, seal, UnreadableSecret } from './sealed-secret.ts'

const env = { STORED_SECRETS_KEY: 'c3RvcmVkLXNlY3JldHMta2V5LWZvci10ZXN0cy1vbmx5=' }
const other = { STORED_SECRETS_KEY: 'b3RoZXIta2V5LW9mLWEtZGlmZmVyZW50LWRlcGxveW1lbnQ=' }

describe('sealed secrets', () => {
  it('opens what it sealed, for the same binding, and never stores the secret readable', async () => {
    const sealed = await seal(env, 'webhook:1', 'whsec_abc')
    expect(isSealed(sealed)).toBe(true)
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]+$/)
    expect(sealed).not.toContain('abc')
    expect(await open(env, 'webhook:1', sealed)).toBe('whsec_abc')
    // A fresh IV each time: the same secret never seals to the same text.
    expect(await seal(env, 'webhook:1', 'whsec_abc')).not.toBe(sealed)
  })

  it('refuses another binding, another key, or an altered value, naming the row only', async () => {
    const sealed = await seal(env, 'webhook:1', 'whsec_abc')
    await expect(open(env, 'webhook:2', sealed)).rejects.toThrow(UnreadableSecret)
    await expect(open(other, 'webhook:1', sealed)).rejects.toThrow(
      'The stored secret of webhook:1 does not open with this STORED_SECRETS_KEY (sealed with another key, or altered).',
    )
    const [v, iv, body] = sealed.split('.')
    const flipped = `${v}.${iv}.${body!.slice(0, -2)}${body!.endsWith('A') ? 'B' : 'A'}${body!.slice(-1)}`
    await expect(open(env, 'webhook:1', flipped)).rejects.toThrow(UnreadableSecret)
    await expect(open(env, 'webhook:1', 'v1.garbage')).rejects.toThrow(UnreadableSecret)
  })

  it('passes a value stored before sealing through as it is', async () => {
    expect(isSealed('whsec_plain')).toBe(false)
    expect(await open(env, 'webhook:1', 'whsec_plain')).toBe('whsec_plain')
  })

  it('answers 503 misconfigured without STORED_SECRETS_KEY, for sealing and for opening', async () => {
    const error = await seal({}, 'webhook:1', 'whsec_abc').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HttpError)
    expect(error).toMatchObject({ status: 503, code: 'misconfigured' })
    const sealed = await seal(env, 'webhook:1', 'whsec_abc')
    await expect(open({}, 'webhook:1', sealed)).rejects.toBeInstanceOf(HttpError)
  })
})
