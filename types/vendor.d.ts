// Minimal typings for the packages we use that ship none (webtorrent helpers, test servers).
declare module 'magnet-uri' {
  export interface MagnetData {
    infoHash?: string
    name?: string | string[]
    dn?: string | string[]
    xt?: string | string[]
    tr?: string | string[]
    announce?: string[]
    urlList?: string[]
    [key: string]: unknown
  }
  export default function decode(uri: string): MagnetData
  export function encode(data: MagnetData): string
}

declare module 'parse-torrent' {
  export interface TorrentInfoFile {
    length: number
    path?: Uint8Array[]
    'path.utf-8'?: Uint8Array[]
  }
  export interface ParsedTorrentFile {
    infoHash: string
    name: string
    info: {
      name?: Uint8Array
      'name.utf-8'?: Uint8Array
      length?: number
      files?: TorrentInfoFile[]
      'piece length': number
    }
    announce: string[]
    urlList: string[]
    private?: boolean
    length: number
    pieceLength: number
    files: { path: string; name: string; length: number; offset: number }[]
  }
  export default function parseTorrent(input: Uint8Array | string): Promise<ParsedTorrentFile>
  export function toTorrentFile(parsed: ParsedTorrentFile): Uint8Array
}

declare module 'bencode' {
  const bencode: { encode(value: unknown): Uint8Array; decode(bytes: Uint8Array): unknown }
  export default bencode
}

declare module 'bittorrent-tracker' {
  import type { EventEmitter } from 'node:events'
  export class Server extends EventEmitter {
    constructor(opts?: { udp?: boolean; http?: boolean; ws?: boolean; stats?: boolean })
    listen(port: number, hostname: string, cb?: () => void): void
    close(cb?: () => void): void
    http: { address(): { port: number } } | null
  }
}

declare module 's3rver' {
  import type { EventEmitter } from 'node:events'
  import type FilesystemStore from 's3rver/lib/stores/filesystem.js'
  export default class S3rver extends EventEmitter {
    constructor(opts: {
      port?: number
      address?: string
      silent?: boolean
      directory: string
      configureBuckets?: { name: string; configs?: (string | Buffer)[] }[]
    })
    run(): Promise<{ port: number; address: string }>
    close(): Promise<void>
    /** The koa context's store and this one are the same object (lib/s3rver.js). */
    store: FilesystemStore
    readonly context: { store: FilesystemStore }
  }
}

declare module 's3rver/lib/models/error.js' {
  export default class S3Error extends Error {
    constructor(code: string, message: string, detail?: Record<string, unknown>)
  }
}

declare module 's3rver/lib/models/object.js' {
  import type { Readable } from 'node:stream'
  export default class S3Object {
    constructor(
      bucket: string,
      key: string,
      content: Readable | Buffer | null,
      metadata: Record<string, unknown>,
    )
    bucket: string
    key: string
    content: Readable | Buffer | null
    metadata: Record<string, unknown>
    range?: { start: number; end: number }
  }
}

declare module 's3rver/lib/stores/filesystem.js' {
  import type S3Object from 's3rver/lib/models/object.js'
  /** s3rver's storage: objects, metadata and multipart uploads as files under `rootDirectory`. */
  export default class FilesystemStore {
    constructor(rootDirectory: string)
    getResourcePath(bucket: string, key: string | undefined, resource: string): string
    getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>
    putMetadata(
      bucket: string,
      key: string,
      metadata: Record<string, unknown>,
      md5?: string,
    ): Promise<void>
    getObject(
      bucket: string,
      key: string,
      options?: { start?: number; end?: number },
    ): Promise<S3Object | null>
    putObject(object: S3Object): Promise<{ size: number; md5: string }>
    copyObject(
      srcBucket: string,
      srcKey: string,
      destBucket: string,
      destKey: string,
      replacementMetadata?: Record<string, string>,
    ): Promise<Record<string, unknown>>
    deleteObject(bucket: string, key: string): Promise<void>
    putPart(
      bucket: string,
      uploadId: string,
      partNumber: number | string,
      content: AsyncIterable<Buffer>,
    ): Promise<{ size: number; md5: string }>
    putObjectMultipart(
      bucket: string,
      uploadId: string,
      parts: { number: number; etag: string }[],
    ): Promise<{ size: number; md5: string }>
  }
}

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
    /** The peer does not send pieces now. */
    peerChoking: boolean
    /** Pieces the peer has. */
    peerPieces: { get(index: number): boolean }
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
    /** Pieces still wanted; a verified piece's slot is null. */
    readonly pieces: ({ readonly missing: number } | null)[]
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
    /** IPv4 addresses or CIDR ranges whose peers are refused. */
    blocklist?: string[]
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

declare module 'create-torrent' {
  export default function createTorrent(
    input: string | string[] | Array<Uint8Array & { name: string }>,
    opts: {
      name?: string
      creationDate?: Date
      createdBy?: string
      comment?: string
      pieceLength?: number
      announceList?: string[][]
      urlList?: string[]
    },
    cb: (err: Error | null, torrent: Uint8Array) => void,
  ): void
}
