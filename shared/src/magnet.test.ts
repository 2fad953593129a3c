import { describe, expect, it } from 'vitest'
import { findMagnetInText, looksLikeMagnet, type ParsedMagnet, parseMagnet } from './magnet.ts'

function parsed(link: string): ParsedMagnet {
  const result = parseMagnet(link)
  if (!result.ok) throw new Error(`refused: ${result.message}`)
  return result
}

/** The refusal's message (the result must be a refusal with the code invalid_magnet). */
function refusal(link: string): string {
  const result = parseMagnet(link)
  expect(result).toMatchObject({ ok: false, code: 'invalid_magnet' })
  return result.ok ? '' : result.message
}

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a'

describe('parseMagnet', () => {
  it('reads a hex info hash, the name and the trackers', () => {
    const magnet = parsed(
      `magnet:?xt=urn:btih:${HEX.toUpperCase()}&dn=Big+Buck+Bunny&tr=udp%3A%2F%2Ftracker.example%3A1337`,
    )
    expect(magnet.infohash).toBe(HEX)
    expect(magnet.name).toBe('Big Buck Bunny')
    expect(magnet.trackers).toEqual(['udp://tracker.example:1337'])
  })

  it('converts a 32-character base32 info hash to hex', () => {
    const magnet = parsed('magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK')
    expect(magnet.infohash).toBe(HEX)
  })

  it('rejects a magnet with no btih', () => {
    expect(refusal('magnet:?dn=nothing')).toMatch(/no BitTorrent info hash/)
    expect(refusal('magnet:?xt=urn:sha1:abc')).toMatch(/no BitTorrent info hash/)
  })

  it('rejects a 39-character hex hash instead of waiting forever on it', () => {
    expect(refusal(`magnet:?xt=urn:btih:${HEX.slice(1)}`)).toMatch(/40 hexadecimal/)
  })

  it('rejects a hash with characters outside hex and base32', () => {
    expect(refusal(`magnet:?xt=urn:btih:${'z'.repeat(40)}`)).toMatch(/info hash/)
  })

  it('rejects URLs that are not magnet links', () => {
    for (const url of [
      'http://example.com/a.torrent',
      'https://x',
      'file:///etc/passwd',
      HEX,
      '',
    ]) {
      expect(refusal(url)).toMatch(/magnet:\?/)
    }
  })

  it('drops web seeds, exact sources and non-tracker schemes from the rebuilt link', () => {
    const magnet = parsed(
      `magnet:?xt=urn:btih:${HEX}&ws=http%3A%2F%2F10.0.0.1%2Fx&xs=http%3A%2F%2Fevil&tr=file%3A%2F%2F%2Fetc&tr=https%3A%2F%2Ft.example%2Fannounce`,
    )
    expect(magnet.trackers).toEqual(['https://t.example/announce'])
    expect(magnet.magnet).not.toMatch(/ws=|xs=|file/)
    expect(parsed(magnet.magnet).infohash).toBe(HEX)
  })

  it('keeps working for a hybrid v1+v2 link, and says the truth about a v2-only one', () => {
    const btmh = `1220${'ab'.repeat(32)}`
    const magnet = parsed(`magnet:?xt=urn:btih:${HEX}&xt=urn:btmh:${btmh}&dn=hybrid`)
    expect(magnet.infohash).toBe(HEX)
    expect(magnet.magnet).toBe(`magnet:?xt=urn:btih:${HEX}&dn=hybrid`)
    expect(parsed(`magnet:?xt=urn:btmh:${btmh}&xt=urn:btih:${HEX}`).infohash).toBe(HEX)
    expect(refusal(`magnet:?xt=urn:btmh:${btmh}&dn=v2`)).toMatch(/v2-only magnet links/)
  })

  it('never throws, whatever it is given', () => {
    for (const link of [
      'magnet:?xt=%E0%A4%A',
      'magnet:?xt=urn:btih:%ZZ',
      'magnet:?&&&==&',
      `magnet:?${'xt=urn:btih:&'.repeat(500)}`,
    ]) {
      expect(parseMagnet(link).ok).toBe(false)
    }
    expect(parseMagnet(undefined as unknown as string).ok).toBe(false)
  })

  it('cleans a hostile display name', () => {
    const magnet = parsed(`magnet:?xt=urn:btih:${HEX}&dn=..%2F..%2Fetc%2Fpasswd%00`)
    expect(magnet.name).toBe('.._.._etc_passwd')
    expect(parsed(`magnet:?xt=urn:btih:${HEX}&dn=..`).name).toBeNull()
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
