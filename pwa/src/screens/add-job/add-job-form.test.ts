import { ApiError, type Plan } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import { createJobBody, describeCreateError, validateAddJob } from './add-job-form.ts'

const MAGNET = 'magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=ubuntu'
const torrent = (name = 'ubuntu.torrent', bytes = 10, type = 'application/x-bittorrent') =>
  new File([new Uint8Array(bytes)], name, { type })

const plan: Plan = {
  id: 'free',
  name: 'Free',
  maxActiveJobs: 2,
  maxQueuedJobs: 10,
  maxQueueWaitSeconds: 86_400,
  priority: 0,
  storageBytes: 5_000_000_000,
  maxFileBytes: 2_000_000_000,
  bandwidthBytesPerMonth: 50_000_000_000,
  retentionDays: 7,
  maxSessions: 5,
}

describe('validateAddJob', () => {
  it('accepts a valid magnet link and keeps the choose-files wish', () => {
    expect(validateAddJob({ magnet: `  ${MAGNET} `, torrent: null, chooseFiles: true })).toEqual({
      ok: true,
      request: { kind: 'magnet', magnet: MAGNET, chooseFiles: true },
    })
  })

  it('asks for a link or a file when the form is empty', () => {
    const result = validateAddJob({ magnet: ' ', torrent: null, chooseFiles: false })
    expect(result).toEqual({
      ok: false,
      errors: { magnet: expect.stringContaining('Paste a magnet link') },
    })
  })

  it('says what is wrong with a magnet link without an info hash', () => {
    const result = validateAddJob({
      magnet: 'magnet:?dn=nothing',
      torrent: null,
      chooseFiles: false,
    })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.errors.magnet).toMatch(/info hash/)
  })

  it('says a short info hash must be 40 hex or 32 base32 characters', () => {
    const result = validateAddJob({
      magnet: 'magnet:?xt=urn:btih:abc',
      torrent: null,
      chooseFiles: false,
    })
    expect(!result.ok && result.errors.magnet).toMatch(/40 hexadecimal or 32 base32/)
  })

  it('explains that a web link to a .torrent must be downloaded first', () => {
    const result = validateAddJob({
      magnet: 'https://example.org/ubuntu.torrent',
      torrent: null,
      chooseFiles: false,
    })
    expect(!result.ok && result.errors.magnet).toMatch(/Download the file/)
  })

  it('accepts a .torrent file', () => {
    const file = torrent()
    const result = validateAddJob({ magnet: '', torrent: file, chooseFiles: false })
    expect(result).toEqual({
      ok: true,
      request: { kind: 'torrent', torrent: file, chooseFiles: false },
    })
  })

  it('refuses a file that is not a torrent', () => {
    const result = validateAddJob({
      magnet: '',
      torrent: torrent('notes.txt', 10, 'text/plain'),
      chooseFiles: false,
    })
    expect(!result.ok && result.errors.torrent).toBe('"notes.txt" is not a .torrent file.')
  })

  it('refuses an empty or oversized .torrent', () => {
    const empty = validateAddJob({
      magnet: '',
      torrent: torrent('a.torrent', 0),
      chooseFiles: false,
    })
    expect(!empty.ok && empty.errors.torrent).toMatch(/empty/)
    const big = validateAddJob({
      magnet: '',
      torrent: torrent('big.torrent', 6 * 1024 * 1024),
      chooseFiles: false,
    })
    expect(!big.ok && big.errors.torrent).toMatch(/at most/)
  })

  it('refuses both a link and a file at once', () => {
    const result = validateAddJob({ magnet: MAGNET, torrent: torrent(), chooseFiles: false })
    expect(!result.ok && result.errors.form).toMatch(/not both/)
  })
})

describe('createJobBody', () => {
  it('sends a magnet as JSON, with chooseFiles only when asked', () => {
    expect(createJobBody({ kind: 'magnet', magnet: MAGNET, chooseFiles: false })).toEqual({
      magnet: MAGNET,
    })
    expect(createJobBody({ kind: 'magnet', magnet: MAGNET, chooseFiles: true })).toEqual({
      magnet: MAGNET,
      chooseFiles: true,
    })
  })

  it('sends a .torrent as multipart field "torrent" with chooseFiles=true', () => {
    const body = createJobBody({ kind: 'torrent', torrent: torrent(), chooseFiles: true })
    expect(body).toBeInstanceOf(FormData)
    const form = body as FormData
    expect((form.get('torrent') as File).name).toBe('ubuntu.torrent')
    expect(form.get('chooseFiles')).toBe('true')
  })
})

describe('describeCreateError', () => {
  const magnetRequest = { kind: 'magnet', magnet: MAGNET, chooseFiles: false } as const

  it('names the waiting jobs limit and what the plan runs and lets wait', () => {
    // Jobs beyond the plan's transfers wait their turn; only a full set of waiting jobs refuses.
    const error = new ApiError(422, 'quota_exceeded', 'Quota', undefined, undefined, 'active_jobs')
    const described = describeCreateError(error, magnetRequest, plan)
    expect(described.title).toBe('Your plan’s waiting jobs limit is reached')
    expect(described.message).toMatch(
      /^The Free plan allows 2 transfers at a time · up to 10 waiting\. Wait for a job to finish/,
    )
  })

  it('names each of the other limits', () => {
    for (const [limit, name] of [
      ['storage', 'storage'],
      ['max_file_size', 'largest file size'],
      ['bandwidth', 'monthly bandwidth'],
    ] as const) {
      const error = new ApiError(422, 'quota_exceeded', 'Quota', undefined, undefined, limit)
      expect(describeCreateError(error, magnetRequest, plan).title).toContain(name)
    }
  })

  it('says a blocked torrent is blocked', () => {
    const described = describeCreateError(new ApiError(403, 'blocked', 'Blocked'), magnetRequest)
    expect(described).toMatchObject({ field: 'form', title: 'This torrent is blocked' })
  })

  it('puts an invalid magnet refusal under the magnet field', () => {
    const error = new ApiError(400, 'invalid_magnet', 'Bad hash')
    expect(describeCreateError(error, magnetRequest)).toEqual({
      field: 'magnet',
      message: 'Bad hash',
    })
  })

  it('tells how long to wait when rate limited', () => {
    const error = new ApiError(429, 'rate_limited', 'Slow down', undefined, 90)
    expect(describeCreateError(error, magnetRequest).message).toBe('Try again in 1m 30s.')
  })

  it('explains a network failure', () => {
    expect(describeCreateError(new TypeError('Failed to fetch'), magnetRequest).message).toMatch(
      /Cannot reach tseeder/,
    )
  })
})
