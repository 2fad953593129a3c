import { isIP } from 'node:net'
import decodeMagnet, { encode as encodeMagnet } from 'magnet-uri'
import { infoSection, withInfoSection } from '@tseeder/shared/torrent'
import parseTorrent, { toTorrentFile } from 'parse-torrent'
import { NetworkGuard } from './network-guard.ts'
import type { TorrentSource } from './torrent-engine.ts'

export { isPrivateAddress } from './network-address.ts'

/**
 * Trackers, web seeds and peers come from the torrent: hostile input. Left alone, a torrent could
 * make the agent send requests to its own network (cloud metadata at 169.254.169.254, an admin
 * port on 10.x) — server-side request forgery. Unless private networks are allowed (local stacks
 * and tests, where everything is on 127.0.0.1), the engine contacts public addresses only: this
 * module trims a torrent's endpoints before it is added; every connection the engine then opens
 * is checked again by {@link NetworkGuard}.
 */
const TRACKER_PROTOCOLS = new Set(['http:', 'https:', 'udp:', 'ws:', 'wss:'])

/** A guard with the system resolver and the real classifier, for callers that inject none. */
const defaultGuard = new NetworkGuard()

/** An endpoint to keep (`url`, maybe rewritten) or the reason it is refused. */
type Verdict = { url: string; problem: null } | { url: null; problem: string }

async function verdictOf(url: string, guard: NetworkGuard): Promise<Verdict> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { url: null, problem: 'not a URL' }
  }
  if (!TRACKER_PROTOCOLS.has(parsed.protocol)) {
    return { url: null, problem: `protocol ${parsed.protocol} not allowed` }
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '')
  let addresses
  try {
    addresses = await guard.resolvePublic(host)
  } catch (error) {
    return { url: null, problem: (error as Error).message }
  }
  if (parsed.protocol !== 'udp:' || isIP(host)) return { url, problem: null }
  // The UDP tracker client resolves the name again for every packet, and a UDP announce carries
  // no host name: pin it to the checked IPv4 address (its socket is IPv4 only).
  const v4 = addresses.find((a) => a.family === 4)
  if (!v4) return { url: null, problem: 'no IPv4 address' }
  parsed.hostname = v4.address
  return { url: parsed.toString(), problem: null }
}

/** Why an announce or web seed URL is refused, or null when it may be contacted. */
export async function trackerProblem(
  url: string,
  guard: NetworkGuard = defaultGuard,
): Promise<string | null> {
  return (await verdictOf(url, guard)).problem
}

async function publicOnly(
  urls: readonly string[],
  dropped: string[],
  guard: NetworkGuard,
): Promise<{ kept: string[]; changed: boolean }> {
  const verdicts = await Promise.all(urls.map((url) => verdictOf(url, guard)))
  const kept: string[] = []
  verdicts.forEach((verdict, i) => {
    if (verdict.url === null) dropped.push(`${urls[i]} (${verdict.problem})`)
    else kept.push(verdict.url)
  })
  return { kept, changed: verdicts.some((v, i) => v.url !== urls[i]) }
}

/**
 * The torrent with its trackers and web seeds reduced to public ones, and UDP trackers pinned to
 * the address that was checked; the info dictionary (and so the info hash) is untouched.
 * A magnet's exact sources (`xs`) are dropped: webtorrent fetches them with the global `fetch`,
 * which no check can follow through redirects and later lookups (metadata comes from peers).
 * `dropped` lists what was removed and why, for the job's log.
 */
export async function withPublicEndpoints(
  source: TorrentSource,
  guard: NetworkGuard = defaultGuard,
): Promise<{ source: TorrentSource; dropped: string[] }> {
  const dropped: string[] = []
  if ('magnet' in source) {
    const magnet = decodeMagnet(source.magnet)
    const announce = await publicOnly(magnet.announce ?? [], dropped, guard)
    // Web seeds (`ws`, `as`).
    const urlList = await publicOnly(magnet.urlList ?? [], dropped, guard)
    const xs = [magnet.xs ?? []]
      .flat()
      .filter((value): value is string => typeof value === 'string')
    const fetched = xs.filter((value) => /^https?:/i.test(value))
    for (const url of fetched) dropped.push(`${url} (exact sources are not fetched)`)
    if (!dropped.length && !announce.changed && !urlList.changed) return { source, dropped }
    const kept = xs.filter((value) => !fetched.includes(value))
    const { xs: _xs, tr: _tr, ws: _ws, as: _as, ...rest } = magnet
    return {
      source: {
        magnet: encodeMagnet({
          ...rest,
          announce: announce.kept,
          urlList: urlList.kept,
          ...(kept.length ? { xs: kept } : {}),
        }),
      },
      dropped,
    }
  }
  const torrent = await parseTorrent(source.torrent)
  const announce = await publicOnly(torrent.announce, dropped, guard)
  const urlList = await publicOnly(torrent.urlList, dropped, guard)
  if (!dropped.length && !announce.changed && !urlList.changed) return { source, dropped }
  const rewritten = toTorrentFile({ ...torrent, announce: announce.kept, urlList: urlList.kept })
  // parse-torrent re-encodes the info dictionary: put it back as written, or its hash changes.
  const info = infoSection(source.torrent)
  return { source: { torrent: info ? withInfoSection(rewritten, info) : rewritten }, dropped }
}
