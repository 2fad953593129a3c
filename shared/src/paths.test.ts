import { describe, expect, it } from 'vitest'
import { sanitizePathSegment, sanitizeTorrentPath, sanitizeTorrentPaths } from './paths.ts'

describe('sanitizeTorrentPath', () => {
  it('keeps ordinary names as they are', () => {
    expect(sanitizeTorrentPath(['Show', 'Season 1', 'Episode 1.mkv'])).toBe(
      'Show/Season 1/Episode 1.mkv',
    )
  })

  it('never lets a path climb out with .. or become absolute', () => {
    const hostile = [
      ['..', '..', 'etc', 'passwd'],
      ['/etc/passwd'],
      ['..\\..\\windows\\system32'],
      ['a/../../b'],
      ['C:', 'x'],
      ['.', '..', '...'],
    ]
    for (const segments of hostile) {
      const path = sanitizeTorrentPath(segments)
      expect(path.startsWith('/')).toBe(false)
      expect(path.split('/')).not.toContain('..')
      expect(path).not.toContain('\\')
    }
    expect(sanitizeTorrentPath(['..', '..', 'etc', 'passwd'])).toBe('etc/passwd')
    expect(sanitizeTorrentPath(['..'])).toBe('file')
  })

  it('strips control characters and renames Windows device names', () => {
    expect(sanitizePathSegment('a\u0000b\u001fc\nd')).toBe('abcd')
    expect(sanitizePathSegment('NUL.txt')).toBe('_NUL.txt')
    expect(sanitizePathSegment('trailing. . ')).toBe('trailing')
  })

  it('limits a very long name to 200 bytes and keeps its extension', () => {
    const segment = sanitizePathSegment(`${'é'.repeat(500)}.mkv`)!
    expect(new TextEncoder().encode(segment).length).toBeLessThanOrEqual(200)
    expect(segment.endsWith('.mkv')).toBe(true)
  })

  it('caps the depth of a deeply nested path', () => {
    expect(
      sanitizeTorrentPath(Array.from({ length: 100 }, (_, i) => `d${i}`)).split('/'),
    ).toHaveLength(32)
  })
})

describe('sanitizeTorrentPaths', () => {
  it('makes duplicate paths unique, ignoring case', () => {
    expect(
      sanitizeTorrentPaths([
        ['t', 'a.txt'],
        ['t', 'A.txt'],
        ['t', '..', 'a.txt'],
        ['t', 'noext'],
        ['t', 'noext'],
      ]),
    ).toEqual(['t/a.txt', 't/A (2).txt', 't/a (3).txt', 't/noext', 't/noext (2)'])
  })
})
