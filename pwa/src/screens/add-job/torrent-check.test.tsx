import bencode from 'bencode'
import { cleanup, render, screen } from '@testing-library/react'
import { formatBytes } from '@tseeder/shared'
import { MAX_TORRENT_BYTES } from '@tseeder/shared/torrent-limits'
import { afterEach, describe, expect, it } from 'vitest'
import { checkTorrentFile, type TorrentCheck } from './torrent-check.ts'
import { TorrentContents } from './torrent-contents.tsx'

const enc = new TextEncoder()

function torrentFile(info: Record<string, unknown>, name = 'set.torrent'): File {
  const bytes = bencode.encode({
    info: { name: enc.encode('set'), 'piece length': 16384, pieces: new Uint8Array(20), ...info },
  })
  return new File([bytes as BlobPart], name, { type: 'application/x-bittorrent' })
}

const file = (path: string, length: number, attr?: string) => ({
  length,
  path: path.split('/').map((p) => enc.encode(p)),
  ...(attr ? { attr: enc.encode(attr) } : {}),
})

afterEach(cleanup)

describe('checkTorrentFile', () => {
  it('lists the files inside with their sizes, without pad files', async () => {
    const check = await checkTorrentFile(
      torrentFile({
        files: [file('a b.mkv', 1_500_000), file('.pad/1', 7, 'p'), file('sub/c.srt', 2048)],
      }),
    )
    expect(check).toEqual({
      state: 'ok',
      name: 'set',
      bytesTotal: 1_502_048,
      files: [
        { index: 0, path: 'set/a b.mkv', size: 1_500_000 },
        { index: 2, path: 'set/sub/c.srt', size: 2048 },
      ],
    })
  })

  it('shows the parser\u2019s message for a broken file at once', async () => {
    const check = await checkTorrentFile(torrentFile({ files: [] }))
    expect(check.state).toBe('refused')
    expect((check as { message: string }).message).toMatch(/file list/)
    const odd = new File([new Uint8Array(20).fill(7)], 'odd.torrent')
    const refused = await checkTorrentFile(odd)
    expect(refused).toMatchObject({
      state: 'refused',
      message: expect.stringMatching(/not a valid/),
    })
    expect((refused as { message: string }).message).not.toMatch(/undefined|Cannot read/)
  })

  it('refuses a file too large or not a .torrent before reading it', async () => {
    const big = new File([new Uint8Array(MAX_TORRENT_BYTES + 1)], 'big.torrent')
    expect(await checkTorrentFile(big)).toMatchObject({ state: 'refused', message: /at most 5/ })
    const thirty = new File([new Uint8Array(30_000_000)], 'movie.torrent')
    expect(await checkTorrentFile(thirty)).toMatchObject({
      message: expect.stringMatching(
        /^"movie\.torrent" is 30 MB; \.torrent files can be at most 5 MB\./,
      ),
    })
    const photo = new File([new Uint8Array(3)], 'photo.jpg', { type: 'image/jpeg' })
    expect(await checkTorrentFile(photo)).toMatchObject({
      message: '"photo.jpg" is not a .torrent file.',
    })
  })

  it('says the truth about a v2-only torrent', async () => {
    const v2 = torrentFile({ pieces: undefined, 'meta version': 2, 'file tree': {} })
    expect(await checkTorrentFile(v2)).toMatchObject({
      message: /v2-only torrents are not supported yet/,
    })
  })

  it('refuses a torrent past the file-count limit, with the numbers', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => file(`f${i}`, 1))
    expect(await checkTorrentFile(torrentFile({ files: many }))).toMatchObject({
      message: /10,001 files.*10,000/,
    })
  })
})

describe('TorrentContents', () => {
  it('shows the count, the total and each file with its size in the app\u2019s units', async () => {
    const check = (await checkTorrentFile(
      torrentFile({ files: [file('a b.mkv', 1_500_000), file('sub/c.srt', 2048)] }),
    )) as Extract<TorrentCheck, { state: 'ok' }>
    render(<TorrentContents check={check} />)
    expect(screen.getByText(/2 files, 1\.5 MB in total/)).toBeTruthy()
    const rows = screen.getAllByRole('listitem').map((li) => li.textContent)
    expect(rows).toEqual([`a b.mkv${formatBytes(1_500_000)}`, `sub/c.srt${formatBytes(2048)}`])
    expect(rows[1]).toBe('sub/c.srt2.05 kB')
  })

  it('lists the first 50 files and counts the rest', async () => {
    const files = Array.from({ length: 53 }, (_, i) => file(`f${i}`, 1))
    const check = (await checkTorrentFile(torrentFile({ files }))) as Extract<
      TorrentCheck,
      { state: 'ok' }
    >
    render(<TorrentContents check={check} />)
    expect(screen.getAllByRole('listitem')).toHaveLength(50)
    expect(screen.getByText('and 3 more files')).toBeTruthy()
  })
})
