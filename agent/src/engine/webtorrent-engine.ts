import { EventEmitter } from 'node:events'
import WebTorrent, { type Torrent } from 'webtorrent'
import type { Logger } from '../log.ts'
import { keepMagnetInfoHash, keepTorrentInfoHash } from './info-hash-as-written.ts'
import { indexedFilePath, jobChunkStore } from './job-chunk-store.ts'
import { type Dispatcher, NetworkGuard } from './network-guard.ts'
import { cutMessagesWithoutCopies } from './wire-buffer.ts'
import type {
  EngineMetadata,
  EngineProgress,
  EngineTorrent,
  TorrentEngine,
  TorrentSource,
} from './torrent-engine.ts'

export interface WebTorrentEngineOptions {
  dht: boolean
  lsd: boolean
  utp: boolean
  natTraversal: boolean
  webSeeds: boolean
  trackers: string[]
  port: number
  maxConns: number
  /**
   * Allow trackers, DHT nodes and peers on private networks (local stacks and tests). Otherwise
   * every connection is checked by a {@link NetworkGuard}, and web seeds and local peer discovery
   * are off (webtorrent fetches web seeds with the global `fetch`, which no check can follow).
   */
  privateNetworks: boolean
  /** The guard to check connections with; a default one (system DNS) when not given. */
  guard?: NetworkGuard
  log: Logger
}

const decoder = new TextDecoder()

/** A BEP 47 padding file: its `attr` names `p`. webtorrent and parse-torrent keep no `attr`. */
function isPadding(file: object): boolean {
  const attr: unknown = (file as { attr?: unknown }).attr
  return attr instanceof Uint8Array && attr.includes(0x70 /* p */)
}

/**
 * The torrent's files as the job sees them: each keeps its index in the torrent's `info.files`
 * (webtorrent's `files` has the same order), and padding files are left out, so indexes may
 * have gaps.
 */
export function metadataOf(torrent: Torrent): EngineMetadata {
  const info = torrent.info ?? {}
  const rawName = info['name.utf-8'] ?? info.name
  const name = rawName ? decoder.decode(rawName) : ''
  const files = info.files
    ? info.files.flatMap((f, index) =>
        isPadding(f)
          ? []
          : [
              {
                index,
                length: f.length,
                segments: [
                  name,
                  ...(f['path.utf-8'] ?? f.path ?? []).map((p) => decoder.decode(p)),
                ],
              },
            ],
      )
    : [{ index: 0, length: info.length ?? torrent.length, segments: [name] }]
  return {
    infohash: torrent.infoHash,
    name,
    files,
    torrentFile: torrent.torrentFile ? new Uint8Array(torrent.torrentFile) : null,
  }
}

/**
 * Bytes of file `index` received so far: verified pieces, plus what has arrived of pieces in
 * flight. webtorrent's `File#downloaded` drops the whole last piece of a file that ends on a piece
 * boundary, so a 1 GiB file never reached 100% and its job never left `downloading`.
 */
export function downloadedBytes(t: Torrent, index: number): number {
  const file = t.files[index]
  if (!file || !t.bitfield || file.length === 0) return 0
  const fileEnd = file.offset + file.length
  let bytes = 0
  for (
    let piece = Math.floor(file.offset / t.pieceLength);
    piece * t.pieceLength < fileEnd;
    piece++
  ) {
    const start = piece * t.pieceLength
    const end = Math.min(t.length, start + t.pieceLength)
    const inFile = Math.min(end, fileEnd) - Math.max(start, file.offset)
    const arrived = t.bitfield.get(piece)
      ? end - start
      : end - start - (t.pieces[piece]?.missing ?? end - start)
    bytes += Math.min(inFile, arrived)
  }
  return bytes
}

class WebTorrentJob extends EventEmitter implements EngineTorrent {
  metadata: EngineMetadata | null = null

  constructor(
    readonly jobId: string,
    readonly torrent: Torrent,
    private readonly jobDir: string,
  ) {
    super()
    // One waiter per file being uploaded listens for `verified`.
    this.setMaxListeners(0)
  }

  select(fileIndexes: readonly number[]): void {
    const t = this.torrent
    if (t.pieceLength && t.files.length) {
      t.deselect(0, Math.max(0, Math.ceil(t.length / t.pieceLength) - 1))
    }
    for (const index of fileIndexes) t.files[index]?.select()
  }

  fileDone(index: number): boolean {
    return this.torrent.files[index]?.done ?? false
  }

  progress(fileIndexes: readonly number[]): EngineProgress {
    const t = this.torrent
    const fileBytes = new Map(fileIndexes.map((i) => [i, downloadedBytes(t, i)]))
    return {
      bytesDone: [...fileBytes.values()].reduce((sum, bytes) => sum + bytes, 0),
      fileBytes,
      received: t.received,
      downloadSpeed: t.downloadSpeed,
      uploadSpeed: t.uploadSpeed,
      peers: t.numPeers,
      seeds: t.wires.filter((w) => w.isSeeder).length,
    }
  }

  peersWithPieces(fileIndexes: readonly number[]): number {
    const t = this.torrent
    const { bitfield } = t
    if (!bitfield || !t.pieceLength) return 0
    const ranges = fileIndexes.flatMap((index) => {
      const file = t.files[index]
      if (!file || file.length === 0) return []
      const first = Math.floor(file.offset / t.pieceLength)
      return [[first, Math.floor((file.offset + file.length - 1) / t.pieceLength)] as const]
    })
    const lacking = (piece: number) => !bitfield.get(piece)
    return t.wires.filter(
      (wire) =>
        !wire.peerChoking &&
        ranges.some(([first, last]) => {
          for (let piece = first; piece <= last; piece++) {
            if (wire.peerPieces.get(piece) && lacking(piece)) return true
          }
          return false
        }),
    ).length
  }

  rangeReady(index: number, start: number, end: number): boolean {
    const t = this.torrent
    const file = t.files[index]
    if (!file || !t.bitfield) return false
    if (end <= start) return file.length === 0 || file.done
    const first = Math.floor((file.offset + start) / t.pieceLength)
    const last = Math.floor((file.offset + end - 1) / t.pieceLength)
    for (let piece = first; piece <= last; piece++) if (!t.bitfield.get(piece)) return false
    return true
  }

  filePath(index: number): string {
    return indexedFilePath(this.jobDir, index)
  }
}

/**
 * The webtorrent 3 engine. Every torrent is added deselected with a per-job chunk store that
 * names files by index (see {@link jobChunkStore}), so no name from the torrent reaches the disk.
 */
export class WebTorrentEngine implements TorrentEngine {
  private client: WebTorrent
  private readonly jobs = new Map<string, WebTorrentJob>()

  private readonly trackerDispatcher: Dispatcher | null = null

  constructor(private readonly options: WebTorrentEngineOptions) {
    cutMessagesWithoutCopies()
    const guard = options.privateNetworks ? null : (options.guard ?? new NetworkGuard())
    if (guard && options.webSeeds) {
      options.log.warn('web seeds are off: they cannot be checked without AGENT_PRIVATE_NETWORKS')
    }
    this.trackerDispatcher = guard?.trackerDispatcher() ?? null
    this.client = new WebTorrent({
      dht: options.dht && guard ? { socket: guard.dhtSocket() } : options.dht,
      lsd: options.lsd && !guard,
      utp: options.utp,
      natUpnp: options.natTraversal,
      natPmp: options.natTraversal,
      webSeeds: options.webSeeds && !guard,
      maxConns: options.maxConns,
      torrentPort: options.port,
      // bittorrent-tracker hands `proxyOpts.httpAgent` to `fetch` as its dispatcher; `wrtc: false`
      // keeps WebSocket trackers (which would connect on their own) out.
      ...(this.trackerDispatcher
        ? {
            tracker: {
              wrtc: false,
              proxyOpts: { httpAgent: this.trackerDispatcher, httpsAgent: this.trackerDispatcher },
            },
          }
        : {}),
    })
    // webtorrent asks `client.blocked.contains(host)` for every peer before dialling it (its own
    // `blocklist` option only understands IPv4, so IPv6 and IPv4-mapped peers went through).
    if (guard) (this.client as unknown as { blocked: unknown }).blocked = guard.peerFilter
    this.client.on('error', (error: Error) => {
      options.log.error({ err: error.message }, 'torrent client error')
    })
  }

  add(jobId: string, source: TorrentSource, jobDir: string): EngineTorrent {
    const id = 'magnet' in source ? source.magnet : source.torrent
    const torrent = this.client.add(id, {
      path: jobDir,
      store: jobChunkStore(jobDir),
      deselect: true,
      announce: this.options.trackers,
      // Uploads read from disk; the cache only serves peers, so keep it small per job.
      storeCacheSlots: 4,
    })
    if ('torrent' in source) keepTorrentInfoHash(torrent, source.torrent)
    else keepMagnetInfoHash(torrent)
    const job = new WebTorrentJob(jobId, torrent, jobDir)
    this.jobs.set(jobId, job)
    torrent.on('warning', (warning: Error) => {
      this.options.log.debug({ jobId, warning: warning.message }, 'torrent warning')
    })
    torrent.on('error', (error: Error) => {
      if (this.jobs.get(jobId) === job) this.jobs.delete(jobId)
      job.emit('error', error)
    })
    torrent.once('metadata', () => {
      // Nothing is selected yet (deselect: true): no piece is requested before the agent
      // has checked the metadata against the job's limits.
      job.metadata = metadataOf(torrent)
      job.emit('metadata', job.metadata)
    })
    torrent.on('verified', (index: number) => job.emit('verified', index))
    torrent.on('done', () => job.emit('done'))
    return job
  }

  async remove(jobId: string, { removeData }: { removeData: boolean }): Promise<void> {
    const job = this.jobs.get(jobId)
    if (!job) return
    this.jobs.delete(jobId)
    job.removeAllListeners('metadata')
    job.removeAllListeners('done')
    job.removeAllListeners('verified')
    if (job.torrent.destroyed) return
    await new Promise<void>((resolve) => {
      job.torrent.destroy({ destroyStore: removeData }, () => resolve())
    })
  }

  async destroy(): Promise<void> {
    this.jobs.clear()
    if (!this.client.destroyed) {
      await new Promise<void>((resolve) => this.client.destroy(() => resolve()))
    }
    await this.trackerDispatcher?.destroy().catch(() => {})
  }
}
