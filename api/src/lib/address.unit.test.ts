import { describe, expect, it } from 'vitest'
import { limitAddress } from './address.ts'

describe('limitAddress', () => {
  it('keeps an IPv4 address whole', () => {
    expect(limitAddress('203.0.113.7')).toBe('203.0.113.7')
  })

  it('keys an IPv6 address by its /64, however it is written', () => {
    const key = '2001:db8:85a3:8d3::/64'
    expect(limitAddress('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe(key)
    expect(limitAddress('2001:0DB8:85A3:08D3:0000:0000:0000:0001')).toBe(key)
    expect(limitAddress('2001:db8:85a3:8d3::1')).toBe(key)
    expect(limitAddress('2001:db8:85a3:8d3::ffff:1%eth0')).toBe(key)
    expect(limitAddress('2001:db8:85a3:8d4::1')).not.toBe(key)
    expect(limitAddress('::1')).toBe('0:0:0:0::/64')
    expect(limitAddress('2001:db8::')).toBe('2001:db8:0:0::/64')
  })

  it('reads an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(limitAddress('::ffff:203.0.113.7')).toBe('203.0.113.7')
    expect(limitAddress('::ffff:cb00:7107')).toBe('203.0.113.7')
  })

  it('keeps what is not an address as it is', () => {
    for (const text of [
      'unknown',
      '1:2:3',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '::ffff:1.2.3.256',
      'g::1',
    ])
      expect(limitAddress(text)).toBe(text)
  })
})
