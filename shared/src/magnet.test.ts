import { describe, expect, it } from 'vitest'
import { findMagnetInText, InvalidMagnetError, looksLikeMagnet, parseMagnet } from './magnet.ts'

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a'

describe('parseMagnet', () => {
  it('reads a hex info hash, the name and the trackers', () => {
    const parsed = parseMagnet(
      `magnet:?xt=urn:btih:${HEX.toUpperCase()}&dn=Big+Buck+Bunny&tr=udp%3A%2F%2Ftracker.example%3A1337`,
    )
    expect(parsed.infohash).toBe(HEX)
    expect(parsed.name).toBe('Big Buck Bunny')
    expect(parsed.trackers).toEqual(['udp://tracker.example:1337'])
  })

  it('converts a 32-character base32 info hash to hex', () => {
    const parsed = parseMagnet('magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK')
    expect(parsed.infohash).toBe(HEX)
  })

  it('rejects a magnet with no btih', () => {
    expect(() => parseMagnet('magnet:?dn=nothing')).toThrow(InvalidMagnetError)
    expect(() => parseMagnet('magnet:?xt=urn:sha1:abc')).toThrow(/no BitTorrent info hash/)
  })

  it('rejects a 39-character hex hash instead of waiting forever on it', () => {
    expect(() => parseMagnet(`magnet:?xt=urn:btih:${HEX.slice(1)}`)).toThrow(/40 hexadecimal/)
  })

  it('rejects a hash with characters outside hex and base32', () => {
    expect(() => parseMagnet(`magnet:?xt=urn:btih:${'z'.repeat(40)}`)).toThrow(InvalidMagnetError)
  })

  it('rejects URLs that are not magnet links', () => {
    for (const url of [
      'http://example.com/a.torrent',
      'https://x',
      'file:///etc/passwd',
      HEX,
      '',
    ]) {
      expect(() => parseMagnet(url)).toThrow(/magnet:\?/)
    }
  })

  it('drops web seeds, exact sources and non-tracker schemes from the rebuilt link', () => {
    const parsed = parseMagnet(
      `magnet:?xt=urn:btih:${HEX}&ws=http%3A%2F%2F10.0.0.1%2Fx&xs=http%3A%2F%2Fevil&tr=file%3A%2F%2F%2Fetc&tr=https%3A%2F%2Ft.example%2Fannounce`,
    )
    expect(parsed.trackers).toEqual(['https://t.example/announce'])
    expect(parsed.magnet).not.toMatch(/ws=|xs=|file/)
    expect(parseMagnet(parsed.magnet).infohash).toBe(HEX)
  })

  it('cleans a hostile display name', () => {
    const parsed = parseMagnet(`magnet:?xt=urn:btih:${HEX}&dn=..%2F..%2Fetc%2Fpasswd%00`)
    expect(parsed.name).toBe('.._.._etc_passwd')
    expect(parseMagnet(`magnet:?xt=urn:btih:${HEX}&dn=..`).name).toBeNull()
  })
})

describe('looksLikeMagnet', () => {
  it('spots magnet links and nothing else', () => {
    expect(looksLikeMagnet(`magnet:?xt=urn:btih:${HEX}`)).toBe(true)
    expect(looksLikeMagnet('https://example.com')).toBe(false)
  })
})

describe('findMagnetInText', () => {
  const magnet = `magnet:?xt=urn:btih:${'b'.repeat(40)}&dn=x`
  it('finds a magnet inside prose without the punctuation after it', () => {
    expect(findMagnetInText(`Grab it here (${magnet}).`)).toBe(magnet)
    expect(findMagnetInText(`first magnet:?xt=urn:ed2k:abc then ${magnet}`)).toBe(magnet)
  })
  it('answers null for text without a BitTorrent magnet', () => {
    expect(findMagnetInText('magnet:? is how those links start')).toBeNull()
    expect(findMagnetInText(undefined)).toBeNull()
  })
})
