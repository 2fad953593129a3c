import bencode from 'bencode'
import { describe, expect, it } from 'vitest'
import { InvalidLinkError, sendTarget } from './send.ts'
import { fetchTorrentFile, TorrentFetchError } from './torrent-file.ts'
import type { Client } from '@tseeder/shared'

const enc = new TextEncoder()
const serve = (bytes: Uint8Array) => async () => new Response(new Blob([bytes as BlobPart]))

describe('fetchTorrentFile', () => {
  it('says in the parser\u2019s words what is wrong with a broken .torrent, before any upload', async () => {
    const odd = bencode.encode({ info: { name: enc.encode('x'), files: [] } })
    const error = await fetchTorrentFile('https://site.example/a.torrent', serve(odd)).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TorrentFetchError)
    expect((error as Error).message).toMatch(/^The .torrent from site.example cannot be used\. /)
    expect((error as Error).message).not.toMatch(/undefined|Cannot read|TypeError/)
  })

  it('passes a good .torrent on as a file', async () => {
    const good = bencode.encode({
      info: { name: enc.encode('x'), 'piece length': 16384, pieces: new Uint8Array(20), length: 1 },
    })
    const { file, name } = await fetchTorrentFile('https://site.example/x.torrent', serve(good))
    expect(name).toBe('x')
    expect(file.size).toBe(good.byteLength)
  })
})

describe('sendTarget', () => {
  it('refuses a broken magnet with the parser\u2019s words and sends nothing', async () => {
    const api = { createJob: () => Promise.reject(new Error('must not be called')) }
    const error = await sendTarget({ kind: 'magnet', magnet: 'magnet:?xt=urn:btih:abc' } as never, {
      api: api as unknown as Client,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidLinkError)
    expect((error as Error).message).toMatch(/40 hexadecimal/)
  })
})
