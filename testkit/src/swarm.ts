// A real BitTorrent swarm on 127.0.0.1: a tracker (HTTP) and seeding webtorrent clients. Torrents
// are built by hand (fixtures.ts), so names no torrent tool would write can be seeded; a seeder
// keeps each file at `<dir>/files/<index>` with the agent's own chunk store, whatever its name.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Server as TrackerServer } from 'bittorrent-tracker'
import WebTorrent, { type Torrent } from 'webtorrent'
import { indexedFilePath, jobChunkStore } from '../../agent/src/engine/job-chunk-store.ts'
import { LOOPBACK_TORRENT_OPTIONS, type TorrentFixture } from './fixtures.ts'
import { tempDir } from './wait.ts'

export interface Seeder {
  /** The seeding webtorrent client (its port, its peers). */
  client: WebTorrent
  /** Writes the fixture's files into a folder of their own and seeds them. */
  seed(fixture: TorrentFixture): Promise<Torrent>
  /** Seeds `torrent`, whose files are already at `<dir>/files/<index>` (large generated content). */
  seedStored(torrent: Buffer, dir: string): Promise<Torrent>
  /** Limits this seeder's upload rate, in bytes per second (-1: unlimited). */
  throttle(bytesPerSecond: number): void
}

/** A tracker on 127.0.0.1 and a first seeder; `seeder()` adds more (each throttled on its own). */
export async function startSwarm() {
  const tracker = new TrackerServer({ udp: false, http: true, ws: false, stats: false })
  await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve))
  const announce = `http://127.0.0.1:${tracker.http!.address().port}/announce`
  const root = await tempDir('seed')
  const clients: WebTorrent[] = []
  let count = 0

  function seeder(): Seeder {
    const client = new WebTorrent({ ...LOOPBACK_TORRENT_OPTIONS })
    client.on('error', () => {})
    clients.push(client)
    const seedStored = (torrent: Buffer, dir: string) =>
      new Promise<Torrent>((resolve, reject) => {
        const added = client.add(torrent, { path: dir, store: jobChunkStore(dir) })
        added.once('error', reject)
        added.once('done', () => resolve(added))
      })
    return {
      client,
      seedStored,
      async seed(fixture) {
        const dir = join(root, String(count++))
        await mkdir(join(dir, 'files'), { recursive: true })
        await Promise.all(fixture.files.map((f, i) => writeFile(indexedFilePath(dir, i), f.data)))
        return seedStored(fixture.torrent, dir)
      },
      throttle(bytesPerSecond) {
        ;(client as unknown as { throttleUpload(rate: number): void }).throttleUpload(
          bytesPerSecond,
        )
      },
    }
  }
  const first = seeder()

  return {
    announce,
    ...first,
    seeder,
    async close() {
      await Promise.all(
        clients.map((c) => new Promise<void>((resolve) => c.destroy(() => resolve()))),
      )
      await new Promise<void>((resolve) => tracker.close(() => resolve()))
      await rm(root, { recursive: true, force: true })
    },
  }
}
export type Swarm = Awaited<ReturnType<typeof startSwarm>>
