import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { verifyLink } from '../lib/download-tokens.ts'
import { apiError, signUp, tokenClient, type Browser } from '../../test/helpers.ts'
import {
  agentSide,
  completed,
  magnetFor,
  metadata,
  putObject,
  randomInfohash,
  registerAgent,
  waitForStart,
} from '../../test/pipeline.ts'

const FILES = [
  { index: 0, path: 'show/S1/e1.mkv', size: 300 },
  { index: 1, path: 'show/S1/e2.mkv', size: 200 },
  { index: 2, path: 'show/extras/notes.txt', size: 100 },
]

/** A completed job of `user` with three files in two folders, their bytes really in S3. */
async function storedShow(user: Browser) {
  await registerAgent()
  const infohash = randomInfohash()
  const job = await user.api.createJob({ body: { magnet: magnetFor(infohash, 'show') } })
  const { agentId } = await waitForStart(job.id)
  const bytes = new Map<string, Uint8Array>()
  for (const f of FILES) {
    const data = crypto.getRandomValues(new Uint8Array(f.size))
    bytes.set(f.path, data)
    await putObject(`content/${infohash}/${f.index}`, data)
  }
  const agent = agentSide(job.id, agentId)
  await agent.send(metadata(infohash, FILES))
  await agent.send(completed(infohash, FILES))
  return { job, bytes }
}

/** Fetches a `/dl/` link the way a download manager does (following the redirect). */
async function download(user: Browser, url: string): Promise<Uint8Array> {
  const response = await user.fetch(new URL(url).pathname, { redirect: 'manual' })
  expect(response.status).toBe(302)
  const stored = await fetch(response.headers.get('location')!)
  expect(stored.status).toBe(200)
  return new Uint8Array(await stored.arrayBuffer())
}

const tokenOf = (url: string) => new URL(url).pathname.slice('/dl/'.length)

describe('POST /api/jobs/:id/link-list', () => {
  it('gives an aria2 input file whose links download each file’s bytes to its path', async () => {
    const user = await signUp()
    const { job, bytes } = await storedShow(user)
    const list = await user.api.createLinkList({
      params: { id: job.id },
      body: { format: 'aria2' },
    })
    expect(list.filename).toBe('demo.aria2') // the name the agent reported
    expect(list.files.map((f) => f.path)).toEqual(FILES.map((f) => f.path))
    const lines = list.text.trimEnd().split('\n')
    expect(lines).toHaveLength(6)
    for (const [i, f] of list.files.entries()) {
      expect(lines[2 * i]).toBe(f.url)
      expect(lines[2 * i + 1]).toBe(`  out=${f.path}`)
      expect(await download(user, f.url)).toEqual(bytes.get(f.path))
    }
    expect(Date.parse(list.expiresAt) - Date.now()).toBeGreaterThan(59 * 60_000)
  })

  it('lists only a folder’s files, and answers 404 for a folder the job does not have', async () => {
    const user = await signUp()
    const { job, bytes } = await storedShow(user)
    const list = await user.api.createLinkList({
      params: { id: job.id },
      body: { format: 'urls', folder: '/show/S1/' },
    })
    expect(list.files.map((f) => f.path)).toEqual(['show/S1/e1.mkv', 'show/S1/e2.mkv'])
    expect(list.text).toBe(list.files.map((f) => `${f.url}\n`).join(''))
    expect(list.filename).toBe('S1.txt')
    expect(await download(user, list.files[1]!.url)).toEqual(bytes.get('show/S1/e2.mkv'))
    const missing = await apiError(
      user.api.createLinkList({
        params: { id: job.id },
        body: { format: 'urls', folder: 'show/S2' },
      }),
    )
    expect(missing.status).toBe(404)
    expect(missing.message).toContain('"show/S2"')
  })

  it('writes a curl --parallel script with every link and output path, for an API token with files:read', async () => {
    const user = await signUp()
    const { job } = await storedShow(user)
    const { api } = await tokenClient(user, ['files:read'])
    const list = await api.createLinkList({ params: { id: job.id }, body: { format: 'curl' } })
    expect(list.text.startsWith('#!/bin/sh\n')).toBe(true)
    for (const f of list.files)
      expect(list.text).toContain(`url = "${f.url}"\noutput = "${f.path}"\n`)
    const readOnly = await tokenClient(user, ['jobs:read'])
    const refused = await apiError(
      readOnly.api.createLinkList({ params: { id: job.id }, body: { format: 'curl' } }),
    )
    expect(refused.code).toBe('insufficient_scope')
  })

  it('signs links for the chosen lifetime, up to the plan’s maximum', async () => {
    const user = await signUp()
    const { job } = await storedShow(user)
    const list = await user.api.createLinkList({
      params: { id: job.id },
      body: { format: 'urls', lifetimeSeconds: 86_400 },
    })
    const token = tokenOf(list.files[0]!.url)
    const expiresAt = Date.parse(list.expiresAt)
    expect(expiresAt - Date.now()).toBeGreaterThan(86_300_000)
    expect((await verifyLink(env.LINK_SIGNING_KEY, token, expiresAt - 1000)).ok).toBe(true)
    expect(await verifyLink(env.LINK_SIGNING_KEY, token, expiresAt + 1)).toEqual({
      ok: false,
      reason: 'expired',
    })

    const tooLong = await apiError(
      user.api.createLinkList({
        params: { id: job.id },
        body: { format: 'urls', lifetimeSeconds: 7 * 86_400 },
      }),
    )
    expect(tooLong.status).toBe(400)
    expect(tooLong.message).toBe(
      'Invalid body: lifetimeSeconds must be at most 86400 (1 day) on the Free plan.',
    )
    const tooShort = await apiError(
      user.api.createLinkList({
        params: { id: job.id },
        body: { format: 'urls', lifetimeSeconds: 10 },
      }),
    )
    expect(tooShort.status).toBe(400)
    expect(tooShort.message).toContain('lifetimeSeconds must be at least 300 seconds')
  })

  it('answers 404 for another user’s job', async () => {
    const owner = await signUp()
    const { job } = await storedShow(owner)
    const other = await signUp()
    const error = await apiError(
      other.api.createLinkList({ params: { id: job.id }, body: { format: 'aria2' } }),
    )
    expect(error.status).toBe(404)
  })
})
