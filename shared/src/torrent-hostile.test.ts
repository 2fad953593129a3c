import bencode from 'bencode'
import parseTorrent from 'parse-torrent'
import { describe, expect, it } from 'vitest'
import { parseTorrentFile, type TorrentParseResult } from './torrent.ts'

const enc = new TextEncoder()
const INTERNALS = /undefined|Cannot read|TypeError|offset|info\.pieces|required field/

function torrent(info: Record<string, unknown>, root: Record<string, unknown> = {}): Uint8Array {
  return bencode.encode({
    announce: enc.encode('udp://127.0.0.1:6969'),
    ...root,
    info: { name: enc.encode('x'), 'piece length': 16384, pieces: new Uint8Array(20), ...info },
  })
}

function refused(result: TorrentParseResult): string {
  if (result.ok) throw new Error('expected a refusal')
  expect(result.code).toBe('invalid_torrent')
  expect(result.message).not.toMatch(INTERNALS)
  return result.message
}

describe('parseTorrentFile on hostile and odd input', () => {
  it('refuses 20 bytes (which parse-torrent read as an info hash) instead of throwing a TypeError', async () => {
    refused(await parseTorrentFile(new Uint8Array(20).fill(7)))
  })

  it('refuses bencode that is not a dictionary with an info dictionary', async () => {
    for (const value of [1, enc.encode('text'), [1, 2], { info: 1 }, { info: [] }, {}]) {
      refused(await parseTorrentFile(bencode.encode(value)))
    }
  })

  it('refuses an empty file list in words, not "reading \'offset\'"', async () => {
    expect(refused(await parseTorrentFile(torrent({ files: [] })))).toMatch(/file list/)
  })

  it('names the field that is wrong', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ 'piece length': 0 }, /piece length/],
      [{ pieces: new Uint8Array(19), length: 1 }, /piece hashes/],
      [{ name: 5, length: 1 }, /name/],
      [{ length: 2 ** 60 }, /size/],
      [{ files: enc.encode('nope') }, /file list/],
      [{ files: [{ length: 1, path: [] }] }, /path of file 1/],
      [{ files: [{ length: 1, path: [enc.encode('a')] }, [1]] }, /file 2/],
      [{ files: [{ length: -1, path: [enc.encode('a')] }] }, /size of file 1/],
    ]
    for (const [info, message] of cases) {
      expect(refused(await parseTorrentFile(torrent(info)))).toMatch(message)
    }
  })

  it('tells the truth about a v2-only torrent and accepts a hybrid one', async () => {
    const fileTree = { 'a.txt': { '': { length: 5, 'pieces root': new Uint8Array(32) } } }
    const v2 = bencode.encode({
      info: {
        name: enc.encode('v2'),
        'piece length': 16384,
        'meta version': 2,
        'file tree': fileTree,
      },
    })
    expect(refused(await parseTorrentFile(v2))).toBe(
      'v2-only torrents are not supported yet; ask for a v1 or hybrid torrent.',
    )
    const hybrid = await parseTorrentFile(
      torrent({ length: 5, 'meta version': 2, 'file tree': fileTree }),
    )
    expect(hybrid.ok && hybrid.torrent.files).toEqual([{ index: 0, path: 'x', size: 5 }])
  })

  it('drops BEP 47 pad files, keeping each real file its torrent index', async () => {
    const file = (path: string[], length: number, attr?: string) => ({
      length,
      path: path.map((p) => enc.encode(p)),
      ...(attr === undefined ? {} : { attr: enc.encode(attr) }),
    })
    const result = await parseTorrentFile(
      torrent({
        name: enc.encode('set'),
        files: [
          file(['a b.bin'], 10),
          file(['.pad', '16374'], 16374, 'p'),
          file(['empty'], 0),
          file(['x.sh'], 3, 'x'),
          file(['.pad', '16381'], 16381, 'hp'),
        ],
      }),
    )
    expect(result.ok && result.torrent.files).toEqual([
      { index: 0, path: 'set/a b.bin', size: 10 },
      { index: 2, path: 'set/empty', size: 0 },
      { index: 3, path: 'set/x.sh', size: 3 },
    ])
    expect(result.ok && result.torrent.bytesTotal).toBe(13)
  })

  it('refuses past each limit, saying which and the number', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => ({
      length: 1,
      path: [enc.encode(`f${i}`)],
    }))
    expect(refused(await parseTorrentFile(torrent({ files: many })))).toMatch(
      /10,001 files.*10,000/,
    )
    const deep = [{ length: 1, path: Array.from({ length: 1000 }, () => enc.encode('d')) }]
    expect(refused(await parseTorrentFile(torrent({ files: deep })))).toMatch(
      /1,000 folders deep.*64/,
    )
    const long = [
      { length: 1, path: Array.from({ length: 60 }, () => enc.encode('d'.repeat(100))) },
    ]
    expect(refused(await parseTorrentFile(torrent({ files: long })))).toMatch(/6,059 bytes.*4,096/)
    const name = enc.encode('n'.repeat(2000))
    expect(refused(await parseTorrentFile(torrent({ name, length: 1 })))).toMatch(
      /2,000 bytes.*1,024/,
    )
    const pieces = new Uint8Array(20 * (2 ** 17 + 1))
    expect(refused(await parseTorrentFile(torrent({ pieces, length: 1 })))).toMatch(
      /131,073 pieces.*131,072/,
    )
  })

  it('refuses a dictionary keyed __proto__, whose fields would not be the hashed bytes', async () => {
    const bytes = enc.encode(
      'd4:infod9:__proto__d6:lengthi1ee4:name1:a12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee',
    )
    expect(refused(await parseTorrentFile(bytes))).toMatch(/not in the expected shape/)
  })

  it('computes the same info hash as parse-torrent', async () => {
    const bytes = torrent({ length: 1234, private: 1 }, { comment: enc.encode('c') })
    const result = await parseTorrentFile(bytes)
    expect(result.ok && result.torrent.infohash).toBe((await parseTorrent(bytes)).infoHash)
    expect(result.ok && result.torrent.private).toBe(true)
  })
})
