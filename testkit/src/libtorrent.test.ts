import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LibtorrentSeeder, startLibtorrentSeeder } from './libtorrent.ts'

let seeder: LibtorrentSeeder

beforeAll(async () => {
  seeder = await startLibtorrentSeeder({ announce: 'http://127.0.0.1:9/announce' })
})

afterAll(() => seeder?.close())

/** Whether the bencoded `torrent` holds `text` (a key or a string, as bencode writes it). */
const holds = (torrent: Buffer, text: string) => torrent.includes(Buffer.from(text))

describe('torrents made by libtorrent (python3-libtorrent)', () => {
  it('makes a hybrid torrent with BEP 47 pad files, an empty file and names with spaces', () => {
    const { hybrid } = seeder.torrents
    expect(holds(hybrid, '12:meta versioni2e')).toBe(true)
    expect(holds(hybrid, '6:pieces')).toBe(true)
    expect(holds(hybrid, '4:attr1:p')).toBe(true)
    expect(holds(hybrid, '4:.pad')).toBe(true)
    expect(holds(hybrid, '11:interop set')).toBe(true)
    expect(holds(hybrid, '22:a file with spaces.bin')).toBe(true)
    expect(seeder.files.find((f) => f.path === 'interop set/empty.txt')?.size).toBe(0)
    expect(seeder.magnet).toMatch(
      new RegExp(`^magnet:\\?xt=urn:btih:${seeder.infohash}&xt=urn:btmh:1220[0-9a-f]{64}&`),
    )
  })

  it('makes a v1-only torrent without pad files and a v2-only one without v1 pieces', () => {
    const { v1, v2 } = seeder.torrents
    expect(holds(v1, '6:pieces')).toBe(true)
    expect(holds(v1, '4:attr')).toBe(false)
    expect(holds(v1, '12:meta version')).toBe(false)
    expect(holds(v2, '12:meta versioni2e')).toBe(true)
    expect(holds(v2, '6:pieces')).toBe(false)
  })

  it('seeds the hybrid torrent on 127.0.0.1', async () => {
    expect(seeder.port).toBeGreaterThan(0)
    await new Promise<void>((resolve, reject) => {
      const socket = connect(seeder.port, '127.0.0.1', () => {
        socket.destroy()
        resolve()
      }).once('error', reject)
    })
  })
})
