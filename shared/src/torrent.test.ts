import bencode from 'bencode'
import { describe, expect, it } from 'vitest'
import { InvalidTorrentError, MAX_TORRENT_BYTES, parseTorrentFile } from './torrent.ts'

const enc = new TextEncoder()

function torrentBytes(info: Record<string, unknown>): Uint8Array {
  return bencode.encode({
    announce: enc.encode('udp://127.0.0.1:6969'),
    info: { 'piece length': 16384, pieces: new Uint8Array(20), ...info },
  })
}

describe('parseTorrentFile', () => {
  it('reads a single-file torrent', async () => {
    const parsed = await parseTorrentFile(
      torrentBytes({ name: enc.encode('movie.mp4'), length: 1234 }),
    )
    expect(parsed.infohash).toMatch(/^[0-9a-f]{40}$/)
    expect(parsed.name).toBe('movie.mp4')
    expect(parsed.files).toEqual([{ index: 0, path: 'movie.mp4', size: 1234 }])
    expect(parsed.bytesTotal).toBe(1234)
    expect(parsed.trackers).toEqual(['udp://127.0.0.1:6969'])
  })

  it('reads a multi-file torrent with the torrent name as the top folder', async () => {
    const parsed = await parseTorrentFile(
      torrentBytes({
        name: enc.encode('album'),
        files: [
          { length: 10, path: [enc.encode('cd1'), enc.encode('01.flac')] },
          { length: 20, path: [enc.encode('cover.jpg')] },
        ],
      }),
    )
    expect(parsed.files.map((f) => f.path)).toEqual(['album/cd1/01.flac', 'album/cover.jpg'])
    expect(parsed.bytesTotal).toBe(30)
  })

  it('cleans hostile names: .., absolute paths, backslashes, a torrent named ..', async () => {
    const parsed = await parseTorrentFile(
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
    expect(parsed.files.map((f) => f.path)).toEqual([
      'evil.sh',
      '_etc_passwd',
      '.._.._boot.ini',
      'evil (2).sh',
    ])
    expect(parsed.name).toBe(parsed.infohash)
  })

  it('rejects bytes that are not a torrent', async () => {
    await expect(parseTorrentFile(enc.encode('<html>not a torrent</html>'))).rejects.toThrow(
      InvalidTorrentError,
    )
    await expect(parseTorrentFile(new Uint8Array())).rejects.toThrow(/empty/)
    await expect(
      parseTorrentFile(bencode.encode({ info: { name: enc.encode('x') } })),
    ).rejects.toThrow(InvalidTorrentError)
  })

  it('rejects a torrent larger than 5 MiB', async () => {
    await expect(parseTorrentFile(new Uint8Array(MAX_TORRENT_BYTES + 1))).rejects.toThrow(/5 MiB/)
  })

  it('rejects negative file sizes', async () => {
    await expect(
      parseTorrentFile(torrentBytes({ name: enc.encode('x'), length: -5 })),
    ).rejects.toThrow(InvalidTorrentError)
  })
})
