import decodeMagnet, { encode as encodeMagnet } from 'magnet-uri'
import { sanitizePathSegment } from './paths.ts'

const HEX_BTIH = /^[0-9a-f]{40}$/i
const BASE32_BTIH = /^[a-z2-7]{32}$/i
const TRACKER_SCHEMES = ['http:', 'https:', 'udp:', 'ws:', 'wss:']
const MAX_TRACKERS = 50

/** Why a magnet link was refused, in words the user can act on; never a library's message. */
export interface MagnetRefusal {
  ok: false
  code: 'invalid_magnet'
  message: string
}

export type MagnetParseResult = ({ ok: true } & ParsedMagnet) | MagnetRefusal

class Refused extends Error {}

export interface ParsedMagnet {
  /** 40 lower-case hex characters (base32 hashes are converted). */
  infohash: string
  /** The `dn` display name, cleaned for display; null when absent. */
  name: string | null
  trackers: string[]
  /**
   * The link rebuilt from what was validated: the hash, the name and the trackers, nothing else
   * (no web seeds or exact sources, which would make an agent fetch arbitrary URLs).
   */
  magnet: string
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}

function btihOf(xt: string): string | null {
  const match = /^urn:btih:(.*)$/i.exec(xt)
  if (!match) return null
  const hash = match[1]!
  if (!HEX_BTIH.test(hash) && !BASE32_BTIH.test(hash)) {
    throw new Refused(
      'The magnet link\u2019s info hash (btih) must be 40 hexadecimal or 32 base32 characters.',
    )
  }
  return hash
}

/**
 * Validates a BitTorrent magnet link and returns its parts with a clean, rebuilt link (a hybrid
 * link's v2 `btmh` hash is dropped: the v1 `btih` one names the same torrent). Never throws: a
 * bad link is a {@link MagnetRefusal} with a message a person can act on.
 *
 * @example
 * parseMagnet('magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=x').ok
 */
export function parseMagnet(input: string): MagnetParseResult {
  try {
    return { ok: true, ...readMagnet(input) }
  } catch (error) {
    const message = error instanceof Refused ? error.message : 'The magnet link could not be read.'
    return { ok: false, code: 'invalid_magnet', message }
  }
}

function readMagnet(input: string): ParsedMagnet {
  const text = typeof input === 'string' ? input.trim() : ''
  if (!/^magnet:\?/i.test(text)) {
    throw new Refused('Expected a magnet link starting with "magnet:?".')
  }
  let decoded
  try {
    decoded = decodeMagnet(`magnet:?${text.slice('magnet:?'.length)}`)
  } catch {
    throw new Refused('The magnet link could not be decoded. Copy the whole link again.')
  }
  const topics = asList(decoded.xt)
  const hashes = topics.map(btihOf).filter((h): h is string => h !== null)
  if (hashes.length === 0 || !decoded.infoHash) {
    throw new Refused(
      topics.some((xt) => /^urn:btmh:/i.test(xt))
        ? 'v2-only magnet links are not supported yet; ask for a v1 or hybrid link (with xt=urn:btih:…).'
        : 'The magnet link has no BitTorrent info hash (xt=urn:btih:…).',
    )
  }
  const infohash = decoded.infoHash.toLowerCase()
  if (!HEX_BTIH.test(infohash)) {
    throw new Refused('The magnet link\u2019s info hash could not be read.')
  }

  const rawName = asList(decoded.dn)[0]
  const name = rawName ? sanitizePathSegment(rawName.slice(0, 1024)) : null
  const trackers = [...new Set(asList(decoded.tr))]
    .filter((tracker) => {
      try {
        return TRACKER_SCHEMES.includes(new URL(tracker).protocol)
      } catch {
        return false
      }
    })
    .slice(0, MAX_TRACKERS)

  const magnet = encodeMagnet({
    xt: `urn:btih:${infohash}`,
    ...(name ? { dn: name } : {}),
    tr: trackers,
  })
  return { infohash, name, trackers, magnet }
}

/** True when `text` looks like a magnet link worth offering to send (used by link catchers). */
export function looksLikeMagnet(text: string): boolean {
  return /^magnet:\?.*xt=urn:btih:/i.test(text.trim())
}

/**
 * The first BitTorrent magnet link in free text (a selection, a shared note), without the
 * punctuation that usually follows a link in prose; null when there is none.
 *
 * @example findMagnetInText('Get it (magnet:?xt=urn:btih:…&dn=x).') // 'magnet:?xt=urn:btih:…&dn=x'
 */
export function findMagnetInText(text: string | null | undefined): string | null {
  if (!text) return null
  for (const match of text.matchAll(/magnet:\?[^\s"'<>]+/gi)) {
    const candidate = match[0].replace(/[),.;\]]+$/, '')
    if (looksLikeMagnet(candidate)) return candidate
  }
  return null
}
