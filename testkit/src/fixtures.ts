import { createHash, randomBytes } from 'node:crypto'

type Bencodable = number | string | Uint8Array | Bencodable[] | { [key: string]: Bencodable }

/** A small bencode encoder, so fixtures can hold names no torrent tool would write. */
export function bencode(value: Bencodable): Buffer {
  if (typeof value === 'number') return Buffer.from(`i${Math.trunc(value)}e`)
  if (typeof value === 'string') return bencode(Buffer.from(value, 'utf8'))
  if (value instanceof Uint8Array) return Buffer.concat([Buffer.from(`${value.length}:`), value])
  if (Array.isArray(value))
    return Buffer.concat([Buffer.from('l'), ...value.map(bencode), Buffer.from('e')])
  const keys = Object.keys(value).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  return Buffer.concat([
    Buffer.from('d'),
    ...keys.flatMap((k) => [bencode(k), bencode(value[k]!)]),
    Buffer.from('e'),
  ])
}

/** A dictionary with its keys in reverse byte order (canonical bencode sorts them). */
export function reversedDict(dict: Record<string, Bencodable>): Buffer {
  const keys = Object.keys(dict).sort((a, b) => Buffer.compare(Buffer.from(b), Buffer.from(a)))
  return Buffer.concat([
    Buffer.from('d'),
    ...keys.flatMap((k) => [bencode(k), bencode(dict[k]!)]),
    Buffer.from('e'),
  ])
}

export interface FixtureFile {
  segments: string[]
  data: Buffer
}

export interface TorrentFixture {
  torrent: Buffer
  infohash: string
  files: FixtureFile[]
  magnet: string
  sha256: string[]
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Random content of `size` bytes. */
export function content(size: number): Buffer {
  return randomBytes(size)
}

/**
 * Builds a .torrent by hand from raw name and path segments (hostile ones included). A single
 * file with one segment makes a single-file torrent named after it.
 */
export function buildTorrent(options: {
  name: string
  files: FixtureFile[]
  announce: string
  pieceLength?: number
  singleFile?: boolean
  /**
   * Writes the info dictionary's keys in reverse order, as some old clients did: not canonical
   * bencode, so only a client that hashes the bytes as written finds the swarm.
   */
  unsortedInfo?: boolean
}): TorrentFixture {
  const pieceLength = options.pieceLength ?? 64 * 1024
  const all = Buffer.concat(options.files.map((f) => f.data))
  const hashes: Buffer[] = []
  for (let offset = 0; offset < all.length; offset += pieceLength) {
    hashes.push(
      createHash('sha1')
        .update(all.subarray(offset, offset + pieceLength))
        .digest(),
    )
  }
  const info: Record<string, Bencodable> = {
    name: options.name,
    'piece length': pieceLength,
    pieces: Buffer.concat(hashes),
  }
  if (options.singleFile) info.length = options.files[0]!.data.length
  else info.files = options.files.map((f) => ({ length: f.data.length, path: f.segments }))
  const infoBytes = options.unsortedInfo ? reversedDict(info) : bencode(info)
  const infohash = createHash('sha1').update(infoBytes).digest('hex')
  const torrent = Buffer.concat([
    Buffer.from('d'),
    bencode('announce'),
    bencode(options.announce),
    bencode('info'),
    infoBytes,
    Buffer.from('e'),
  ])
  return {
    torrent,
    infohash,
    files: options.files,
    magnet: `magnet:?xt=urn:btih:${infohash}&tr=${encodeURIComponent(options.announce)}`,
    sha256: options.files.map((f) => sha256(f.data)),
  }
}

/** webtorrent options that keep a test swarm on loopback (no DHT, LSD, uTP, NAT traversal or web seeds). */
export const LOOPBACK_TORRENT_OPTIONS = {
  dht: false,
  lsd: false,
  natUpnp: false,
  natPmp: false,
  utp: false,
  webSeeds: false,
} as const
