import bencode from 'bencode'
import { describe, expect, it } from 'vitest'
import { MAX_TORRENT_BYTES, parseTorrentFile, type ParsedTorrent } from './torrent.ts'

const enc = new TextEncoder()

async function parsed(bytes: Uint8Array): Promise<ParsedTorrent> {
  const result = await parseTorrentFile(bytes)
  if (!result.ok) throw new Error(`refused: ${result.message}`)
  return result.torrent
}

async function refusal(bytes: Uint8Array): Promise<string> {
  const result = await parseTorrentFile(bytes)
  expect(result).toMatchObject({ ok: false, code: 'invalid_torrent' })
  return result.ok ? '' : result.message
}

function torrentBytes(info: Record<string, unknown>): Uint8Array {
  return bencode.encode({
    announce: enc.encode('udp://127.0.0.1:6969'),
    info: { 'piece length': 16384, pieces: new Uint8Array(20), ...info },
  })
}

describe('parseTorrentFile', () => {
  it('reads a single-file torrent', async () => {
    const torrent = await parsed(torrentBytes({ name: enc.encode('movie.mp4'), length: 1234 }))
    expect(torrent.infohash).toMatch(/^[0-9a-f]{40}$/)
    expect(torrent.name).toBe('movie.mp4')
    expect(torrent.files).toEqual([{ index: 0, path: 'movie.mp4', size: 1234 }])
    expect(torrent.bytesTotal).toBe(1234)
    expect(torrent.trackers).toEqual(['udp://127.0.0.1:6969'])
  })

  it('reads a multi-file torrent with the torrent name as the top folder', async () => {
    const torrent = await parsed(
      torrentBytes({
        name: enc.encode('album'),
        files: [
          { length: 10, path: [enc.encode('cd1'), enc.encode('01.flac')] },
          { length: 20, path: [enc.encode('cover.jpg')] },
        ],
      }),
    )
    expect(torrent.files.map((f) => f.path)).toEqual(['album/cd1/01.flac', 'album/cover.jpg'])
    expect(torrent.bytesTotal).toBe(30)
  })

  it('cleans hostile names: .., absolute paths, backslashes, a torrent named ..', async () => {
    const torrent = await parsed(
      torrentBytes({
        name: enc.encode('..'),
        files: [
          { length: 1, path: [enc.encode('..'), enc.encode('..'), enc.encode('evil.sh')] },
          { length: 1, path: [enc.encode('/etc/passwd')] },
          { length: 1, path: [enc.encode('..\\..\\boot.ini')] },
          { length: 1, path: [enc.encode('evil.sh')] },
        ],
      }),
    )
    expect(torrent.files.map((f) => f.path)).toEqual([
      'evil.sh',
      '_etc_passwd',
      '.._.._boot.ini',
      'evil (2).sh',
    ])
    expect(torrent.name).toBe(torrent.infohash)
  })

  it('rejects bytes that are not a torrent', async () => {
    expect(await refusal(enc.encode('<html>not a torrent</html>'))).toMatch(/not a valid .torrent/)
    expect(await refusal(new Uint8Array())).toMatch(/empty/)
    expect(await refusal(bencode.encode({ info: { name: enc.encode('x') } }))).toMatch(
      /piece length/,
    )
  })

  it('rejects a torrent larger than 5 MB, in the units the apps show sizes in', async () => {
    expect(await refusal(new Uint8Array(MAX_TORRENT_BYTES + 1))).toMatch(
      /is over 5 MB; .*up to 5 MB\./,
    )
    expect(await refusal(new Uint8Array(30_000_000))).toMatch(/is 30 MB; .*up to 5 MB\./)
  })

  it('rejects negative file sizes', async () => {
    expect(await refusal(torrentBytes({ name: enc.encode('x'), length: -5 }))).toMatch(
      /size of a file/,
    )
  })

  it('hashes the info dictionary as written, keys out of order and odd integers included (BEP 3)', async () => {
    // Keys in reverse order and a zero-padded integer: the decoder accepts both, and re-encoding
    // would sort the keys and drop the zero, giving a hash no other client computes.
    const info = concat(
      enc.encode('d4:name5:a.bin12:piece lengthi016384e6:pieces20:'),
      new Uint8Array(20),
      enc.encode('6:lengthi5ee'),
    )
    const bytes = concat(
      enc.encode('d8:announce20:udp://127.0.0.1:69694:info'),
      info,
      enc.encode('e'),
    )
    const torrent = await parsed(bytes)
    expect(torrent.infohash).toBe(await sha1Hex(info))
    expect(torrent.infohash).not.toBe(await sha1Hex(bencode.encode(bencode.decode(info))))
    expect(torrent.files).toEqual([{ index: 0, path: 'a.bin', size: 5 }])
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

async function sha1Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', bytes as BufferSource))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}
