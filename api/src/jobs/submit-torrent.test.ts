import bencode from 'bencode'
import { describe, expect, it } from 'vitest'
import { apiError, signUp, type SignedUp } from '../../test/helpers.ts'
import { registerAgent, waitForStart } from '../../test/pipeline.ts'

const enc = new TextEncoder()
const INTERNALS = /undefined|Cannot read|TypeError|offset|required field/

function upload(user: SignedUp, bytes: Uint8Array, fields: Record<string, string> = {}) {
  const form = new FormData()
  form.set('torrent', new Blob([bytes], { type: 'application/x-bittorrent' }), 'x.torrent')
  for (const [key, value] of Object.entries(fields)) form.set(key, value)
  return user.api.createJob({ body: form })
}

function info(fields: Record<string, unknown>): Uint8Array {
  const name = enc.encode(`t-${crypto.randomUUID().slice(0, 6)}`)
  return bencode.encode({
    info: { name, 'piece length': 16384, pieces: new Uint8Array(20), ...fields },
  })
}

describe('POST /api/jobs with odd .torrent files', () => {
  it('answers 400 invalid_torrent in words, not 500, for bencode that decodes to something odd', async () => {
    const user = await signUp()
    for (const bytes of [
      new Uint8Array(20).fill(7),
      bencode.encode({ info: 1 }),
      info({ files: [] }),
    ]) {
      const error = await apiError(upload(user, bytes))
      expect(error).toMatchObject({ status: 400, code: 'invalid_torrent' })
      expect(error.message).not.toMatch(INTERNALS)
    }
  })

  it('says the truth about a v2-only torrent', async () => {
    const user = await signUp()
    const v2 = bencode.encode({
      info: { name: enc.encode('v2'), 'piece length': 16384, 'meta version': 2, 'file tree': {} },
    })
    const error = await apiError(upload(user, v2))
    expect(error).toMatchObject({ status: 400, code: 'invalid_torrent' })
    expect(error.message).toBe(
      'v2-only torrents are not supported yet; ask for a v1 or hybrid torrent.',
    )
  })

  it('keeps pad files out of the job: its files keep their torrent indices, its size excludes them', async () => {
    await registerAgent()
    const user = await signUp()
    const file = (path: string, length: number, attr?: string) => ({
      length,
      path: path.split('/').map((p) => enc.encode(p)),
      ...(attr ? { attr: enc.encode(attr) } : {}),
    })
    const bytes = info({
      files: [file('a b.bin', 10), file('.pad/16374', 16374, 'p'), file('c.bin', 20)],
    })
    const padPicked = await apiError(upload(user, bytes, { selectedFiles: '[1]' }))
    expect(padPicked).toMatchObject({ status: 400, code: 'validation_failed' })
    expect(padPicked.message).toMatch(/file 1, which is not one of the torrent’s 2 files \(0, 2\)/)

    const job = await upload(user, bytes, { selectedFiles: '[2]' })
    expect(job).toMatchObject({ status: 'submitted', selectedFiles: [2], bytesTotal: 20 })
    const { files } = await user.api.listJobFiles({ params: { id: job.id } })
    expect(files.map((f) => [f.index, f.path.split('/').slice(1).join('/'), f.selected])).toEqual([
      [0, 'a b.bin', false],
      [2, 'c.bin', true],
    ])
    expect((await waitForStart(job.id)).body.selectedFiles).toEqual([2])
  })

  it('gives a torrent whose info keys are out of order the info hash of its bytes as written', async () => {
    await registerAgent()
    const user = await signUp()
    const name = `t-${crypto.randomUUID().slice(0, 6)}`
    // Keys in reverse order (some old clients wrote them so): not canonical bencode.
    const info = concat(
      enc.encode(`d4:name${name.length}:${name}12:piece lengthi16384e6:pieces20:`),
      new Uint8Array(20),
      enc.encode('6:lengthi5ee'),
    )
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', info))
    const infohash = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
    const job = await upload(user, concat(enc.encode('d4:info'), info, enc.encode('e')))
    expect(job.infohash).toBe(infohash)
    expect((await waitForStart(job.id)).body.infohash).toBe(infohash)
  })
})

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}
