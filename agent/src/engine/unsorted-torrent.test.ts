import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import pino from 'pino'
import WebTorrent from 'webtorrent'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { infoSection } from '@tseeder/shared/torrent'
import {
  buildTorrent,
  content,
  LOOPBACK_TORRENT_OPTIONS,
  sha256,
  type TorrentFixture,
} from '@tseeder/testkit/fixtures'
import { seedFixtureWithLibtorrent } from '@tseeder/testkit/libtorrent'
import { startSwarm, type Swarm } from '@tseeder/testkit/swarm'
import { tempDir, waitFor } from '@tseeder/testkit/wait'
import type { EngineMetadata, TorrentSource } from './torrent-engine.ts'
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

  async function download(
    source: TorrentSource,
    whileSeeding?: (agentPort: number) => Promise<void>,
  ): Promise<void> {
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
      const job = engine.add('job-unsorted', source, await tempDir('unsorted'))
      const [metadata] = (await once(job, 'metadata')) as [EngineMetadata]
      expect(metadata.infohash).toBe(fixture.infohash)
      // What a restart adds again: its info section must be the one the swarm hashes.
      expect(sha1(infoSection(metadata.torrentFile!)!)).toBe(fixture.infohash)
      job.select([0, 1])
      await waitFor(() => job.fileDone(0) && job.fileDone(1), 30_000, 'both files')
      for (const [index, expected] of fixture.sha256.entries()) {
        expect(sha256(await readFile(job.filePath(index))), `file ${index}`).toBe(expected)
      }
      const client = (engine as unknown as { client: WebTorrent }).client
      await whileSeeding?.((client.address() as { port: number }).port)
    } finally {
      await engine.destroy()
    }
  }

  it('joins the swarm of the info hash of its bytes as written and downloads every byte', async () => {
    expect(seeder.infohash).toBe(fixture.infohash)
    await download({ torrent: fixture.torrent }, async (agentPort) => {
      // A client with only the info hash gets the metadata from the agent alone: ut_metadata
      // checks the SHA-1 of the bytes it is sent, so they must be the info section as written.
      const peer = new WebTorrent({ ...LOOPBACK_TORRENT_OPTIONS })
      try {
        const magnet = `magnet:?xt=urn:btih:${fixture.infohash}`
        const torrent = peer.add(magnet, { path: await tempDir('peer') })
        const addPeer = (torrent as unknown as { addPeer(address: string): void }).addPeer
        torrent.once('infoHash', () => addPeer.call(torrent, `127.0.0.1:${agentPort}`))
        await once(torrent, 'metadata', { signal: AbortSignal.timeout(15_000) })
      } finally {
        await new Promise<void>((resolve) => peer.destroy(() => resolve()))
      }
    })
  })

  it('keeps that info hash when the metadata comes from peers for a magnet (ut_metadata)', async () => {
    await download({ magnet: fixture.magnet })
  })
})
