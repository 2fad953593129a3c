// BEP 3 hashes a torrent's info section as written; webtorrent (through parse-torrent) hashes a
// re-encoding of it, which differs when the keys are not sorted (some clients wrote them so), and
// then announces and handshakes in a swarm nobody is in. These put the hash as written back.
import { createHash } from 'node:crypto'
import type { EventEmitter } from 'node:events'
import { infoSection, withInfoSection } from '@tseeder/shared/torrent'
import type { Torrent } from 'webtorrent'

type Fields = Record<string, unknown>
const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest()

/**
 * Sets the torrent's info hash from its info section as written (`info`); once there is metadata
 * (`torrentFile` given), ut_metadata also gets those bytes to serve (peers check their SHA-1) and
 * the job the .torrent to add again after a restart.
 */
function useInfoAsWritten(torrent: Torrent, info: Uint8Array, torrentFile?: Uint8Array): void {
  const infoHashBuffer = sha1(info)
  const fields = torrent as unknown as Fields
  Object.assign(fields, {
    infoHash: infoHashBuffer.toString('hex'),
    infoHashBuffer,
    infoBuffer: info,
  })
  // `metadata` set before webtorrent has read the metadata would make it skip reading it.
  if (torrentFile) Object.assign(fields, { metadata: info, torrentFile })
}

/**
 * For a .torrent: webtorrent emits `infoHash` before it announces, connects or reads the metadata
 * (which keeps these fields), and `metadata` before any peer connects.
 */
export function keepTorrentInfoHash(torrent: Torrent, torrentFile: Uint8Array): void {
  const info = infoSection(torrentFile)
  if (!info) return
  torrent.once('infoHash', () => useInfoAsWritten(torrent, info))
  torrent.prependOnceListener('metadata', () => useInfoAsWritten(torrent, info, torrentFile))
}

interface MetadataWire {
  ut_metadata?: EventEmitter & { metadata?: Uint8Array }
}

/**
 * For a magnet: ut_metadata checks the SHA-1 of the bytes it receives, but webtorrent then hashes
 * their re-encoding and takes that as the info hash. The verified bytes are kept as they arrive and
 * the magnet's hash is put back on `metadata`, which webtorrent emits in the same turn as it
 * changes the hash, before it talks to any peer again.
 */
export function keepMagnetInfoHash(torrent: Torrent): void {
  let infoHash: string | undefined
  let info: Uint8Array | undefined
  torrent.once('infoHash', (hash: string) => (infoHash = hash))
  torrent.on('wire', (wire: MetadataWire) => {
    const utMetadata = wire.ut_metadata
    utMetadata?.once('metadata', () => (info ??= utMetadata.metadata))
  })
  torrent.prependOnceListener('metadata', () => {
    if (!info || !infoHash || sha1(info).toString('hex') !== infoHash) return
    const rewritten = torrent.torrentFile
    if (rewritten) useInfoAsWritten(torrent, info, withInfoSection(rewritten, info))
  })
}
