// Minimal typings for the webtorrent helpers we use; neither package ships its own.
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
