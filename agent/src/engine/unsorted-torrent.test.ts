import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { infoSection } from '@tseeder/shared/torrent'
import { buildTorrent, content, sha256, type TorrentFixture } from '@tseeder/testkit/fixtures'
import { seedFixtureWithLibtorrent } from '@tseeder/testkit/libtorrent'
import { startSwarm, type Swarm } from '@tseeder/testkit/swarm'
import { tempDir, waitFor } from '@tseeder/testkit/wait'
import type { EngineMetadata } from './torrent-engine.ts'
import { WebTorrentEngine } from './webtorrent-engine.ts'

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex')

describe('a .torrent whose info keys are out of order (as some clients wrote them)', () => {
  let swarm: Swarm
  let fixture: TorrentFixture
  let seeder: Awaited<ReturnType<typeof seedFixtureWithLibtorrent>>

  beforeAll(async () => {
    swarm = await startSwarm()
    fixture = buildTorrent({
      name: 'unsorted',
      files: [
        { segments: ['a.bin'], data: content(150_000) },
        { segments: ['sub', 'b.bin'], data: content(70_001) },
      ],
      announce: swarm.announce,
      pieceLength: 16 * 1024,
      unsortedInfo: true,
    })
    // libtorrent hashes the info section as written, as every BEP 3 client does.
    seeder = await seedFixtureWithLibtorrent(fixture, { name: 'unsorted' })
  })

  afterAll(async () => {
    await seeder?.close()
    await swarm?.close()
  })

  it('joins the swarm of the info hash of its bytes as written and downloads every byte', async () => {
    expect(seeder.infohash).toBe(fixture.infohash)
    const engine = new WebTorrentEngine({
      dht: false,
      lsd: false,
      utp: false,
      natTraversal: false,
      webSeeds: false,
      trackers: [],
      port: 0,
      maxConns: 10,
      privateNetworks: true,
      log: pino({ level: 'silent' }),
    })
    try {
      const job = engine.add(
        'job-unsorted',
        { torrent: fixture.torrent },
        await tempDir('unsorted'),
      )
      const [metadata] = (await once(job, 'metadata')) as [EngineMetadata]
      expect(metadata.infohash).toBe(fixture.infohash)
      // What a restart adds again: its info section must be the one the swarm hashes.
      expect(sha1(infoSection(metadata.torrentFile!)!)).toBe(fixture.infohash)
      job.select([0, 1])
      await waitFor(() => job.fileDone(0) && job.fileDone(1), 30_000, 'both files')
      for (const [index, expected] of fixture.sha256.entries()) {
        expect(sha256(await readFile(job.filePath(index))), `file ${index}`).toBe(expected)
      }
    } finally {
      await engine.destroy()
    }
  })
})
