import { describe, expect, it } from 'vitest'
import {
  classifyLink,
  isTorrentDownload,
  isTorrentUrl,
  targetFromMenuClick,
} from './sendable-links.ts'

const MAGNET = 'magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=ubuntu'

describe('link matching', () => {
  it('takes magnet links as magnets', () => {
    expect(classifyLink(MAGNET)).toEqual({ kind: 'magnet', magnet: MAGNET })
  })

  it('takes http and https links ending in .torrent, with or without a query', () => {
    expect(isTorrentUrl('https://tracker.example/files/ubuntu.torrent')).toBe(true)
    expect(isTorrentUrl('http://tracker.example/dl/Ubuntu.TORRENT?passkey=abc')).toBe(true)
    expect(classifyLink('https://t.example/a.torrent')).toEqual({
      kind: 'torrent',
      url: 'https://t.example/a.torrent',
    })
  })

  it('ignores other links, magnets without a BitTorrent hash and non-web .torrent URLs', () => {
    expect(classifyLink('https://example.com/page')).toBeNull()
    expect(classifyLink('https://example.com/torrent/123')).toBeNull()
    expect(classifyLink('magnet:?xt=urn:ed2k:abc')).toBeNull()
    expect(classifyLink('file:///home/me/a.torrent')).toBeNull()
    expect(classifyLink(undefined)).toBeNull()
  })
})

describe('magnet in a selection', () => {
  const selected = (selectionText: string) => targetFromMenuClick({ selectionText })

  it('finds a magnet link inside selected prose', () => {
    expect(selected(`Grab it here: ${MAGNET} (fast seeders).`)).toEqual({
      kind: 'magnet',
      magnet: MAGNET,
    })
  })

  it('drops punctuation that ends the sentence around the link', () => {
    expect(selected(`(${MAGNET}).`)).toEqual({ kind: 'magnet', magnet: MAGNET })
  })

  it('finds nothing in text without a magnet link', () => {
    expect(selected('magnet:? is how those links start')).toBeNull()
    expect(selected('')).toBeNull()
  })

  it('prefers the right-clicked link over the selection', () => {
    expect(
      targetFromMenuClick({ linkUrl: 'https://t.example/x.torrent', selectionText: MAGNET }),
    ).toEqual({ kind: 'torrent', url: 'https://t.example/x.torrent' })
    expect(targetFromMenuClick({ selectionText: `see ${MAGNET}` })).toEqual({
      kind: 'magnet',
      magnet: MAGNET,
    })
  })
})

describe('.torrent download detection', () => {
  it('recognises a .torrent by MIME type even when the URL does not say so', () => {
    expect(
      isTorrentDownload({
        url: 'https://t.example/download.php?id=4',
        mime: 'application/x-bittorrent',
      }),
    ).toBe(true)
  })

  it('recognises a .torrent by the file name the browser chose', () => {
    expect(
      isTorrentDownload({
        url: 'https://t.example/dl?id=4',
        filename: '/home/me/Downloads/x.torrent',
      }),
    ).toBe(true)
  })

  it('leaves other downloads and blob URLs alone', () => {
    expect(isTorrentDownload({ url: 'https://t.example/file.zip', mime: 'application/zip' })).toBe(
      false,
    )
    expect(
      isTorrentDownload({ url: 'blob:https://t.example/1', mime: 'application/x-bittorrent' }),
    ).toBe(false)
  })
})
