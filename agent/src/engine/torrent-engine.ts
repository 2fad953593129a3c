import type { EventEmitter } from 'node:events'

/** A file as listed in the torrent's metadata, with its raw (untrusted) path segments. */
export interface EngineFile {
  index: number
  length: number
  /** Raw segments (torrent name first): hostile input, to be sanitised before any use. */
  segments: string[]
}

export interface EngineMetadata {
  infohash: string
  /** Raw torrent name: hostile input. */
  name: string
  files: EngineFile[]
  /** The bencoded .torrent, kept so a restart needs no peers for metadata. */
  torrentFile: Uint8Array | null
}

export interface EngineProgress {
  /** Verified bytes of the given files. */
  bytesDone: number
  /** The same, per file index (engines that cannot tell leave it out). */
  fileBytes?: ReadonlyMap<number, number>
  /** Raw bytes received from peers since the torrent was added. */
  received: number
  downloadSpeed: number
  uploadSpeed: number
  peers: number
  seeds: number
}

export type TorrentSource = { magnet: string } | { torrent: Uint8Array }

/**
 * One torrent of one job. Emits `metadata` (EngineMetadata), `verified` (a piece is on disk),
 * `done` (every selected piece verified) and `error` (Error; the torrent is gone).
 */
export interface EngineTorrent extends EventEmitter {
  readonly jobId: string
  readonly metadata: EngineMetadata | null
  /** Downloads exactly these files (nothing is selected until this is called). */
  select(fileIndexes: readonly number[]): void
  fileDone(index: number): boolean
  progress(fileIndexes: readonly number[]): EngineProgress
  /**
   * Connected peers that would send pieces of these files now: they have one this torrent lacks
   * and do not choke it. What a parked job waits for.
   */
  peersWithPieces(fileIndexes: readonly number[]): number
  /** True once bytes [start, end) of file `index` are verified and on disk. */
  rangeReady(index: number, start: number, end: number): boolean
  /** Where the file's bytes are on disk: always inside the job folder, never a torrent name. */
  filePath(index: number): string
}

export interface TorrentEngine {
  /** Adds a torrent for a job; its bytes are written only inside `jobDir`. */
  add(jobId: string, source: TorrentSource, jobDir: string): EngineTorrent
  /** Stops transfer for a job and forgets the torrent; `removeData` also deletes its bytes. */
  remove(jobId: string, options: { removeData: boolean }): Promise<void>
  /** Tears the whole engine down (every torrent); bytes on disk are kept. */
  destroy(): Promise<void>
}
