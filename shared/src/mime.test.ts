import { describe, expect, it } from 'vitest'
import { mimeTypeOf } from './mime.ts'

describe('mimeTypeOf', () => {
  it('names the types browsers play and show', () => {
    expect(mimeTypeOf('a/b.MP4')).toBe('video/mp4')
    expect(mimeTypeOf('b.m4v')).toBe('video/mp4')
    expect(mimeTypeOf('b.mkv')).toBe('video/x-matroska')
    expect(mimeTypeOf('b.mp3')).toBe('audio/mpeg')
    expect(mimeTypeOf('b.flac')).toBe('audio/flac')
    expect(mimeTypeOf('b.jpg')).toBe('image/jpeg')
    expect(mimeTypeOf('b.pdf')).toBe('application/pdf')
  })

  it('gives text a charset', () => {
    expect(mimeTypeOf('notes.txt')).toBe('text/plain; charset=utf-8')
    expect(mimeTypeOf('release.nfo')).toBe('text/plain; charset=utf-8')
    expect(mimeTypeOf('subs.vtt')).toBe('text/vtt; charset=utf-8')
  })

  it('serves active content and unknown types as downloads', () => {
    for (const path of [
      'x.html',
      'x.htm',
      'x.svg',
      'x.xhtml',
      'x.xml',
      'x.js',
      'x.mjs',
      'x.unknownext',
      'noext',
    ])
      expect(mimeTypeOf(path)).toBe('application/octet-stream')
  })
})
