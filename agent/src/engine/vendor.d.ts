// Minimal typings for the parts of webtorrent and its stores the agent uses; none ship types.
declare module 'webtorrent' {
  import type { EventEmitter } from 'node:events'

  export interface WebTorrentFile {
    readonly length: number
    readonly offset: number
    readonly downloaded: number
    readonly done: boolean
    readonly path: string
    select(priority?: number): void
    deselect(): void
    [Symbol.asyncIterator](opts?: { start?: number; end?: number }): AsyncIterator<Uint8Array>
  }

  export interface Wire {
    isSeeder?: boolean
  }

  export interface Torrent extends EventEmitter {
    readonly infoHash: string
    readonly name: string
    readonly files: WebTorrentFile[]
    readonly info?: {
      name?: Uint8Array
      'name.utf-8'?: Uint8Array
      length?: number
      files?: { length: number; path?: Uint8Array[]; 'path.utf-8'?: Uint8Array[] }[]
    }
    readonly torrentFile?: Uint8Array
    readonly pieceLength: number
    readonly length: number
    readonly downloaded: number
    readonly received: number
    readonly uploaded: number
    readonly downloadSpeed: number
    readonly uploadSpeed: number
    readonly numPeers: number
    readonly progress: number
    readonly done: boolean
    readonly ready: boolean
    readonly destroyed: boolean
    readonly wires: Wire[]
    readonly bitfield?: { get(index: number): boolean }
    readonly metadata: Uint8Array | null
    select(start: number, end: number, priority?: number): void
    deselect(start: number, end: number): void
    destroy(opts?: { destroyStore?: boolean }, cb?: (err?: Error | null) => void): void
  }

  export interface AddOptions {
    path?: string
    store?: unknown
    deselect?: boolean
    announce?: string[]
    maxWebConns?: number
    storeCacheSlots?: number
    skipVerify?: boolean
  }

  export interface ClientOptions {
    dht?: boolean | object
    lsd?: boolean
    utp?: boolean
    natUpnp?: boolean
    natPmp?: boolean
    webSeeds?: boolean
    tracker?: boolean | object
    maxConns?: number
    torrentPort?: number
    dhtPort?: number
  }

  export default class WebTorrent extends EventEmitter {
    constructor(opts?: ClientOptions)
    readonly torrents: Torrent[]
    readonly destroyed: boolean
    add(id: string | Uint8Array, opts?: AddOptions, cb?: (t: Torrent) => void): Torrent
    seed(
      input: string | string[] | Uint8Array,
      opts?: AddOptions & { announce?: string[]; name?: string },
      cb?: (t: Torrent) => void,
    ): Torrent
    remove(
      id: string | Torrent,
      opts?: { destroyStore?: boolean },
      cb?: (err?: Error | null) => void,
    ): Promise<void>
    destroy(cb?: (err?: Error | null) => void): void
    address(): { port: number } | null
  }
}

declare module 'fs-chunk-store' {
  export interface FsChunkStoreOptions {
    files?: { path: string; length: number; offset?: number }[]
    path?: string
    length?: number
    name?: string
    addUID?: boolean
  }
  export default class FsChunkStore {
    constructor(chunkLength: number, opts?: FsChunkStoreOptions)
    readonly chunkLength: number
    put(index: number, buf: Uint8Array, cb?: (err?: Error | null) => void): void
    get(index: number, opts: unknown, cb: (err: Error | null, buf?: Uint8Array) => void): void
    close(cb?: (err?: Error | null) => void): void
    destroy(cb?: (err?: Error | null) => void): void
  }
}
