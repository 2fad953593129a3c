import { describe, expect, it } from 'vitest'
import { formatBytes, formatEta, formatPercent, formatSpeed } from './format.ts'

describe('formatters', () => {
  it('formats sizes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(999)).toBe('999 B')
    expect(formatBytes(1_500_000)).toBe('1.5 MB')
    expect(formatBytes(5_000_000_000)).toBe('5 GB')
    expect(formatBytes(123_456_789)).toBe('123 MB')
    expect(formatBytes(-1)).toBe('—')
  })

  it('formats speeds', () => {
    expect(formatSpeed(2_400_000)).toBe('2.4 MB/s')
    expect(formatSpeed(0)).toBe('0 B/s')
  })

  it('formats ETAs with their two largest units and unknown as a dash', () => {
    expect(formatEta(45)).toBe('45s')
    expect(formatEta(3725)).toBe('1h 2m')
    expect(formatEta(90061)).toBe('1d 1h')
    expect(formatEta(3600)).toBe('1h')
    expect(formatEta(null)).toBe('—')
  })

  it('formats percentages', () => {
    expect(formatPercent(42.456)).toBe('42.5%')
    expect(formatPercent(100)).toBe('100%')
    expect(formatPercent(120)).toBe('100%')
  })
})
