import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import decodeMagnet, { encode as encodeMagnet } from 'magnet-uri'
import parseTorrent, { toTorrentFile } from 'parse-torrent'
import type { TorrentSource } from './torrent-engine.ts'

/**
 * Trackers, web seeds and peers come from the torrent: hostile input. Left alone, a torrent could
 * make the agent send HTTP requests to its own network (cloud metadata at 169.254.169.254, an
 * admin port on 10.x) — server-side request forgery. Unless private networks are allowed (local
 * stacks and tests, where everything is on 127.0.0.1), announce URLs must be http(s)/udp/ws(s) to
 * public addresses, and peers on private ranges are refused through webtorrent's blocklist.
 */
const PRIVATE_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
]
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are checked as the IPv4 address they carry.
const PRIVATE_V6 = ['::/127', 'fc00::/7', 'fe80::/10', 'ff00::/8']

const privateAddresses = new BlockList()
for (const range of PRIVATE_V4) {
  const [net, prefix] = range.split('/')
  privateAddresses.addSubnet(net!, Number(prefix), 'ipv4')
}
for (const range of PRIVATE_V6) {
  const [net, prefix] = range.split('/')
  privateAddresses.addSubnet(net!, Number(prefix), 'ipv6')
}

/** The IPv4 ranges webtorrent refuses peers from (its blocklist takes IPv4 CIDRs). */
export const PRIVATE_PEER_RANGES: readonly string[] = PRIVATE_V4

const TRACKER_PROTOCOLS = new Set(['http:', 'https:', 'udp:', 'ws:', 'wss:'])
const DNS_TIMEOUT_MS = 3000

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address)
  if (!family) return false
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (dotted) return isPrivateAddress(dotted[1]!)
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address)
  if (hex) {
    const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)]
    return isPrivateAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`)
  }
  return privateAddresses.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

/** Why an announce or web seed URL is refused, or null when it may be contacted. */
export async function trackerProblem(url: string): Promise<string | null> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'not a URL'
  }
  if (!TRACKER_PROTOCOLS.has(parsed.protocol)) return `protocol ${parsed.protocol} not allowed`
  const host = parsed.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host)) return isPrivateAddress(host) ? 'private address' : null
  if (host === 'localhost' || host.endsWith('.localhost')) return 'private address'
  try {
    const addresses = await Promise.race([
      lookup(host, { all: true }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('DNS timeout')), DNS_TIMEOUT_MS).unref(),
      ),
    ])
    if (addresses.some((a) => isPrivateAddress(a.address))) return 'resolves to a private address'
    return null
  } catch {
    return 'does not resolve'
  }
}

async function publicOnly(urls: readonly string[], dropped: string[]): Promise<string[]> {
  const verdicts = await Promise.all(urls.map((url) => trackerProblem(url)))
  return urls.filter((url, i) => {
    if (verdicts[i]) dropped.push(`${url} (${verdicts[i]})`)
    return !verdicts[i]
  })
}

/**
 * The torrent with its trackers and web seeds reduced to public ones; the info dictionary (and so
 * the info hash) is untouched. `dropped` lists what was removed and why, for the job's log.
 */
export async function withPublicEndpoints(
  source: TorrentSource,
): Promise<{ source: TorrentSource; dropped: string[] }> {
  const dropped: string[] = []
  if ('magnet' in source) {
    const magnet = decodeMagnet(source.magnet)
    const announce = await publicOnly(magnet.announce ?? [], dropped)
    // Web seeds (`ws`, `as`) and an exact source (`xs`: webtorrent fetches the .torrent there).
    const urlList = await publicOnly(magnet.urlList ?? [], dropped)
    const xs = [magnet.xs ?? []]
      .flat()
      .filter((value): value is string => typeof value === 'string')
    const sources = await publicOnly(
      xs.filter((value) => /^https?:/i.test(value)),
      dropped,
    )
    if (!dropped.length) return { source, dropped }
    const kept = xs.filter((value) => !/^https?:/i.test(value) || sources.includes(value))
    const { xs: _xs, tr: _tr, ws: _ws, as: _as, ...rest } = magnet
    return {
      source: {
        magnet: encodeMagnet({ ...rest, announce, urlList, ...(kept.length ? { xs: kept } : {}) }),
      },
      dropped,
    }
  }
  const torrent = await parseTorrent(source.torrent)
  const announce = await publicOnly(torrent.announce, dropped)
  const urlList = await publicOnly(torrent.urlList, dropped)
  if (!dropped.length) return { source, dropped }
  return { source: { torrent: toTorrentFile({ ...torrent, announce, urlList }) }, dropped }
}
