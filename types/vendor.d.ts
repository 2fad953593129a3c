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
  export function encode(data: { xt: string; dn?: string; tr?: string[] }): string
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
  }
}
