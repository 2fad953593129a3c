// A real BitTorrent swarm on 127.0.0.1: a tracker (HTTP) and seeding webtorrent clients. Torrents
// are built by hand (agent/test/fixtures.ts), so names no torrent tool would write can be seeded;
// a seeder keeps each file at `<dir>/files/<index>` (the agent's own store), whatever its name.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Server as TrackerServer } from 'bittorrent-tracker'
import WebTorrent, { type Torrent } from 'webtorrent'
import { indexedFilePath, jobChunkStore } from '../../agent/src/engine/job-chunk-store.ts'
import { LOOPBACK_TORRENT_OPTIONS, type TorrentFixture } from '../../agent/test/fixtures.ts'

export { buildTorrent, content, sha256, type TorrentFixture } from '../../agent/test/fixtures.ts'

export interface Seeder {
  seed(fixture: TorrentFixture): Promise<Torrent>
  /** Limits this seeder's upload rate, in bytes per second (-1: unlimited). */
  throttle(bytesPerSecond: number): void
}

export async function startSwarm() {
  const tracker = new TrackerServer({ udp: false, http: true, ws: false, stats: false })
  await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve))
  const announce = `http://127.0.0.1:${tracker.http!.address().port}/announce`
  const root = await mkdtemp(join(tmpdir(), 'tseeder-e2e-seed-'))
  const clients: WebTorrent[] = []
  let count = 0

  /** A seeding client of its own (so one can be throttled without slowing the others). */
  function seeder(): Seeder {
    const client = new WebTorrent({ ...LOOPBACK_TORRENT_OPTIONS })
    client.on('error', () => {})
    clients.push(client)
    return {
      async seed(fixture) {
        const dir = join(root, String(count++))
        await mkdir(join(dir, 'files'), { recursive: true })
        await Promise.all(fixture.files.map((f, i) => writeFile(indexedFilePath(dir, i), f.data)))
        return new Promise((resolve, reject) => {
          const torrent = client.add(fixture.torrent, { path: dir, store: jobChunkStore(dir) })
          torrent.once('error', reject)
          torrent.once('done', () => resolve(torrent))
        })
      },
      throttle(bytesPerSecond) {
        ;(client as unknown as { throttleUpload(rate: number): void }).throttleUpload(
          bytesPerSecond,
        )
      },
    }
  }

  return {
    announce,
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
