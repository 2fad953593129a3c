import bencode from 'bencode'
import { describe, expect, it } from 'vitest'
import { infoSection, withInfoSection } from './torrent-info-bytes.ts'

const enc = new TextEncoder()
const text = (bytes: Uint8Array | null) => (bytes ? new TextDecoder().decode(bytes) : null)

describe('infoSection', () => {
  it('returns the info value as written, whatever the order of the keys around and inside it', () => {
    const info = 'd6:lengthi05e4:name1:xe'
    expect(text(infoSection(enc.encode(`d1:zi1e4:info${info}1:al1:bee`)))).toBe(info)
    expect(text(infoSection(enc.encode(`d04:info${info}e`)))).toBe(info)
  })

  it('finds the same bytes bencode writes for a canonical torrent', () => {
    const info = { name: enc.encode('x'), files: [{ length: 1, path: [enc.encode('a')] }] }
    const bytes = bencode.encode({ announce: enc.encode('http://t/a'), info, 'url-list': [] })
    expect(infoSection(bytes)).toEqual(bencode.encode(info))
  })

  it('is null for no info, an info that is not a dictionary, or two of them', () => {
    for (const torrent of [
      'de',
      'd4:infoi1ee',
      'd4:info1:xe',
      'd4:infode4:infodee',
      'l4:infodee',
      '',
    ]) {
      expect(infoSection(enc.encode(torrent)), torrent).toBeNull()
    }
    // Bytes after the torrent are ignored, as the decoder ignores them.
    expect(text(infoSection(enc.encode('d4:infodeeTRAILING')))).toBe('de')
  })

  it('is null, without throwing, for truncated, malformed or absurdly nested input', () => {
    const deep = 'd4:info' + 'l'.repeat(100_000) + 'e'.repeat(100_000) + 'e'
    for (const torrent of [
      'd4:infod',
      'd4:infod1:a',
      'd4:infod1:ai5',
      'd4:infod9999:ae',
      'd4:infod-1:aee',
      'd4:infod1:ai' + '1'.repeat(100) + 'eee',
      'd4:info' + '9'.repeat(20) + ':x',
      'di1e4:infodee',
      deep,
    ]) {
      expect(infoSection(enc.encode(torrent)), torrent.slice(0, 40)).toBeNull()
    }
  })
})

describe('withInfoSection', () => {
  it('puts the info section back as written and keeps everything around it', () => {
    const rewritten = enc.encode('d8:announce1:a4:infod4:name1:x6:lengthi5ee3:zzzi1ee')
    const kept = withInfoSection(rewritten, enc.encode('d6:lengthi05e4:name1:xe'))
    expect(text(kept)).toBe('d8:announce1:a4:infod6:lengthi05e4:name1:xe3:zzzi1ee')
    expect(withInfoSection(enc.encode('de'), enc.encode('de'))).toEqual(enc.encode('de'))
  })
})
