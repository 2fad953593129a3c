import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { BASE_URL, signUp, tokenClient } from '../../test/helpers.ts'
import { registerAgent } from '../../test/pipeline.ts'
import { MAX_AGENT_BODY_BYTES, MAX_BODY_BYTES } from './body-limit.ts'

/** A body of `bytes` spaces sent chunked: no Content-Length says how long it will be. */
function chunkedBody(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x20)
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close()
      const next = chunk.subarray(0, Math.min(chunk.length, bytes - sent))
      sent += next.length
      controller.enqueue(next)
    },
  })
}

async function postChunked(path: string, bytes: number, headers: Record<string, string>) {
  const request = new Request(`${BASE_URL}${path}`, {
    method: 'POST',
    headers,
    body: chunkedBody(bytes),
    duplex: 'half',
  } as RequestInit)
  expect(request.headers.has('content-length')).toBe(false)
  return SELF.fetch(request, { redirect: 'manual' })
}

async function expectTooLarge(response: Response) {
  expect(response.status).toBe(413)
  expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } })
}

describe('the body limit', () => {
  it('refuses a chunked body over 6 MiB on POST /api/jobs with 413', async () => {
    const { token } = await tokenClient(await signUp(), ['jobs:write'])
    await expectTooLarge(
      await postChunked('/api/jobs', MAX_BODY_BYTES + 1, {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      }),
    )
  })

  it('refuses a chunked body over 6 MiB on POST /share with 413', async () => {
    await expectTooLarge(
      await postChunked('/share', MAX_BODY_BYTES + 1, {
        'content-type': 'application/x-www-form-urlencoded',
      }),
    )
  })

  it('refuses a chunked agent callback over its limit with 413 before checking the signature', async () => {
    const agentId = await registerAgent()
    await expectTooLarge(
      await postChunked('/internal/jobs/callback', MAX_AGENT_BODY_BYTES + 1, {
        'x-tseeder-agent': agentId,
        'content-type': 'application/json',
      }),
    )
  })

  it('still takes a chunked body under the limit', async () => {
    const response = await postChunked('/share', 1024, {
      'content-type': 'application/x-www-form-urlencoded',
    })
    expect(response.status).toBe(303)
  })
})
