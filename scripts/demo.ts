// npm run demo [-- --tracker-port 6969] [--host 127.0.0.1]
//
// A tiny BitTorrent swarm on this machine so tseeder can be tried without the internet: a local
// tracker (HTTP and UDP) and a seeder for a small sample torrent (a text, a picture, a playable
// video, a sound). The files are built in code (.state/demo/) and never change, so neither does
// the info hash. Keeps seeding until Ctrl-C.
import { type EventEmitter, once } from 'node:events'
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Server as TrackerServer } from 'bittorrent-tracker'
import createTorrent from 'create-torrent'
import WebTorrent from 'webtorrent'
import { DEMO_NAME, demoFiles, type DemoFile } from './lib/demo-files.ts'
import { LOOPBACK_TORRENT_OPTIONS } from '@tseeder/testkit/fixtures'
import { portIsFree } from '@tseeder/testkit/processes'

const root = resolve(import.meta.dirname, '..')
const demoDir = join(root, '.state', 'demo')
const filesDir = join(demoDir, 'files')
const torrentPath = join(demoDir, `${DEMO_NAME}.torrent`)

const { values } = parseArgs({
  options: {
    'tracker-port': { type: 'string', default: '6969' },
    host: { type: 'string', default: '127.0.0.1' },
  },
})
const host = values.host

function fail(message: string): never {
  console.error(`\n✖ ${message}`)
  process.exit(1)
}

/** Writes each demo file unless it already holds exactly these bytes. */
function writeDemoFiles(files: DemoFile[]) {
  for (const file of files) {
    const path = join(filesDir, DEMO_NAME, file.path)
    if (existsSync(path) && readFileSync(path).equals(file.data)) continue
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, file.data)
  }
}

/** The parts of bittorrent-tracker's Server used here beyond types/vendor.d.ts. */
interface TrackerSockets {
  listen(
    port: { http: number; udp: number },
    hostname: { http: string; udp: string; udp6: string },
  ): void
  http: EventEmitter & { address(): { port: number } }
  udp4: EventEmitter & { address(): { port: number } }
}

/** The tracker on `preferred` (HTTP and UDP), or on free ports when that one is taken. */
async function startTracker(preferred: number) {
  const port = (await portIsFree(preferred, host)) ? preferred : 0
  const tracker = new TrackerServer({ udp: true, http: true, ws: false, stats: false })
  const sockets = tracker as unknown as TrackerSockets
  // The IPv6 UDP socket (on ::1) is not needed here: its errors, if any, are ignored.
  const failed = new Promise<never>((_, reject) =>
    tracker.on('error', (error: Error & { address?: string }) => {
      if (error.address !== '::1') reject(error)
    }),
  )
  sockets.listen({ http: port, udp: port }, { http: host, udp: host, udp6: '::1' })
  try {
    await Promise.race([
      Promise.all([once(sockets.http, 'listening'), once(sockets.udp4, 'listening')]),
      failed,
    ])
  } catch (error) {
    fail(`The tracker could not start on ${host}: ${(error as Error).message}`)
  }
  const httpPort = sockets.http.address().port
  const udpPort = sockets.udp4.address().port
  if (port === 0)
    console.log(
      `Port ${preferred} is taken; the tracker uses ${httpPort} (HTTP) and ${udpPort} (UDP).`,
    )
  return {
    tracker,
    http: `http://${host}:${httpPort}/announce`,
    udp: `udp://${host}:${udpPort}`,
  }
}

/** The .torrent for the demo files; fixed creation date, so only the trackers can vary. */
function buildTorrent(files: DemoFile[], announce: string[]): Promise<Buffer> {
  const input = files.map((f) =>
    Object.assign(Buffer.from(f.data), { name: `${DEMO_NAME}/${f.path}` }),
  )
  return new Promise((done, reject) =>
    createTorrent(
      input,
      {
        name: DEMO_NAME,
        pieceLength: 16 * 1024,
        creationDate: new Date('2026-01-01T00:00:00Z'),
        createdBy: 'tseeder npm run demo',
        comment: 'Sample torrent for trying tseeder offline',
        announceList: announce.map((url) => [url]),
        urlList: [],
      },
      (error, torrent) => (error ? reject(error) : done(Buffer.from(torrent))),
    ),
  )
}

function magnetLink(infoHash: string, trackers: string[]): string {
  const tr = trackers.map((t) => `&tr=${encodeURIComponent(t)}`).join('')
  return `magnet:?xt=urn:btih:${infoHash}&dn=${encodeURIComponent(DEMO_NAME)}${tr}`
}

const files = demoFiles()
writeDemoFiles(files)
const { tracker, http, udp } = await startTracker(Number(values['tracker-port']))
const torrentFile = await buildTorrent(files, [http, udp])
writeFileSync(torrentPath, torrentFile)

const client = new WebTorrent({ ...LOOPBACK_TORRENT_OPTIONS })
client.on('error', (error) => fail(`The seeder failed: ${(error as Error).message}`))
const torrent = client.add(torrentFile, { path: filesDir })
torrent.on('error', (error) => fail(`The seeder failed: ${(error as Error).message}`))
await once(torrent, 'ready')
if (!torrent.done) await once(torrent, 'done')

let stopping = false
function stop() {
  if (stopping) return
  stopping = true
  console.log('\nStopping the demo swarm…')
  client.destroy(() => tracker.close(() => process.exit(0)))
  setTimeout(() => process.exit(0), 3_000).unref()
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

torrent.on('wire', (wire: { remoteAddress?: string; remotePort?: number }) =>
  console.log(`peer connected: ${wire.remoteAddress}:${wire.remotePort}`),
)
let reported = 0
setInterval(() => {
  if (torrent.uploaded === reported) return
  reported = torrent.uploaded
  console.log(`uploaded ${reported} bytes in total, ${torrent.numPeers} peer(s)`)
}, 5_000).unref()

const total = files.reduce((sum, f) => sum + f.data.length, 0)
console.log(`
tseeder demo swarm is seeding — keep this running, Ctrl-C to stop.

  info hash  ${torrent.infoHash}
  files      ${files.map((f) => `${f.path} (${f.data.length} B)`).join(', ')}; ${total} B in all
  tracker    ${http}
             ${udp}
  seeder     127.0.0.1:${client.address()?.port}, data in ${relative(root, join(filesDir, DEMO_NAME))}

Magnet link (paste it into tseeder):

${magnetLink(torrent.infoHash, [http, udp])}

.torrent file: ${torrentPath}
`)
