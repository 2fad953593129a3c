import { describe, expect, it } from 'vitest'
import {
  formatBytes,
  formatClockTime,
  formatEta,
  formatOrdinal,
  formatPercent,
  formatSpeed,
} from './format.ts'

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

  it('formats places in line as English ordinals', () => {
    const places = [1, 2, 3, 4, 10, 11, 12, 13, 21, 22, 23, 101, 111, 112]
    expect(places.map(formatOrdinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '10th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
      '112th',
    ])
  })

  it('formats a clock time, with the weekday when it is not today and the date beyond a week', () => {
    const options = { locale: 'en-GB', timeZone: 'UTC' }
    const now = Date.parse('2026-11-27T15:00:00Z') // a Friday
    expect(formatClockTime('2026-11-27T16:40:00Z', now, options)).toBe('16:40')
    expect(formatClockTime('2026-11-27T09:05:00Z', now, options)).toBe('09:05')
    expect(formatClockTime('2026-11-28T16:40:00Z', now, options)).toBe('Sat 16:40')
    expect(formatClockTime('2026-12-10T16:40:00Z', now, options)).toBe('10 Dec 16:40')
    expect(formatClockTime('2026-11-27T16:40:00Z', now, { ...options, locale: 'en-US' })).toBe(
      '4:40 PM',
    )
    expect(formatClockTime('not a time', now, options)).toBe('—')
  })
})
