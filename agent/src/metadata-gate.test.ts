import { describe, expect, it } from 'vitest'
import type { EngineMetadata } from './engine/torrent-engine.ts'
import { checkMetadata, listFiles, selectionOf } from './metadata-gate.ts'

const infohash = 'a'.repeat(40)
const noLimits = { maxFileBytes: null, remainingStorageBytes: null }
const roomy = { freeBytes: 10_000, reserveBytes: 100 }

function metadata(name: string, files: [string[], number][]): EngineMetadata {
  return {
    infohash,
    name,
    files: files.map(([segments, length], index) => ({ index, length, segments })),
    torrentFile: null,
  }
}

const album = metadata('album', [
  [['album', 'cover.jpg'], 300],
  [['album', 'disc 1', 'track.mp3'], 1500],
  [['album', 'notes.txt'], 12],
])

describe('listFiles', () => {
  it('lists every file with its sanitised path and selects all of them by default', () => {
    expect(listFiles(album, { infohash })).toEqual({
      files: [
        { index: 0, path: 'album/cover.jpg', size: 300 },
        { index: 1, path: 'album/disc 1/track.mp3', size: 1500 },
        { index: 2, path: 'album/notes.txt', size: 12 },
      ],
      name: 'album',
      selected: [0, 1, 2],
    })
  })

  it('keeps the selection to files that exist, sorted and without repeats', () => {
    expect(listFiles(album, { infohash, selectedFiles: [2, 7, 0, 2] }).selected).toEqual([0, 2])
  })

  it('keeps the torrent’s own indexes when padding files left gaps, and selects only those', () => {
    const padded: EngineMetadata = {
      ...album,
      files: [
        { index: 0, length: 300, segments: ['album', 'cover.jpg'] },
        { index: 2, length: 1500, segments: ['album', 'track.mp3'] },
        { index: 4, length: 12, segments: ['album', 'notes.txt'] },
      ],
    }
    const listing = listFiles(padded, { infohash })
    expect(listing.files).toEqual([
      { index: 0, path: 'album/cover.jpg', size: 300 },
      { index: 2, path: 'album/track.mp3', size: 1500 },
      { index: 4, path: 'album/notes.txt', size: 12 },
    ])
    expect(listing.selected).toEqual([0, 2, 4])
    expect(listFiles(padded, { infohash, selectedFiles: [1, 4, 3, 2] }).selected).toEqual([2, 4])
    expect(selectionOf(listing.files, [2, 4])).toEqual({
      files: [listing.files[1], listing.files[2]],
      total: 1512,
    })
  })

  it('never lets a hostile name or path climb out of the job folder', () => {
    const hostile = metadata('..', [[['..', '..', 'etc', 'passwd'], 1]])
    const listing = listFiles(hostile, { infohash })
    expect(listing.name).toBe(infohash)
    expect(listing.files[0]!.path.split('/')).not.toContain('..')
  })
})

describe('selectionOf', () => {
  it('gives the selected files and their total size', () => {
    const { files } = listFiles(album, { infohash })
    expect(selectionOf(files, [0, 2])).toEqual({ files: [files[0], files[2]], total: 312 })
  })
})

describe('checkMetadata', () => {
  const listing = listFiles(album, { infohash })

  it('lets a selection through that fits the plan and the disk', () => {
    expect(checkMetadata({ ...listing, selected: [0, 2] }, noLimits, roomy)).toEqual({
      ok: true,
      selected: [0, 2],
      files: [listing.files[0], listing.files[2]],
      total: 312,
    })
  })

  it('refuses an empty selection for good', () => {
    expect(checkMetadata({ ...listing, selected: [] }, noLimits, roomy)).toEqual({
      ok: false,
      code: 'invalid_selection',
      message: 'None of the selected files exist in this torrent.',
      retryable: false,
    })
  })

  it('refuses for good a file over the plan maximum, naming the file', () => {
    const verdict = checkMetadata(listing, { ...noLimits, maxFileBytes: 1000 }, roomy)
    expect(verdict).toMatchObject({ ok: false, code: 'quota_exceeded', retryable: false })
    expect(verdict.ok || verdict.message).toContain('File 1 is 1500 bytes')
  })

  it('ignores files over the plan maximum that are not selected', () => {
    const selected = { ...listing, selected: [0, 2] }
    expect(checkMetadata(selected, { ...noLimits, maxFileBytes: 1000 }, roomy).ok).toBe(true)
  })

  it('refuses for good a selection over the storage left on the plan', () => {
    const verdict = checkMetadata(listing, { ...noLimits, remainingStorageBytes: 1811 }, roomy)
    expect(verdict).toMatchObject({ ok: false, code: 'quota_exceeded', retryable: false })
    expect(verdict.ok || verdict.message).toContain('total 1812 bytes')
    expect(checkMetadata(listing, { ...noLimits, remainingStorageBytes: 1812 }, roomy).ok).toBe(
      true,
    )
  })

  it('refuses, retryably, a selection that would leave less than the disk reserve', () => {
    const tight = { freeBytes: 1812 + 99, reserveBytes: 100 }
    expect(checkMetadata(listing, noLimits, tight)).toMatchObject({
      ok: false,
      code: 'disk_full',
      retryable: true,
    })
    expect(checkMetadata(listing, noLimits, { ...tight, freeBytes: 1912 }).ok).toBe(true)
  })

  it('checks the plan before the disk', () => {
    const verdict = checkMetadata(
      listing,
      { ...noLimits, maxFileBytes: 1 },
      { freeBytes: 0, reserveBytes: 100 },
    )
    expect(verdict).toMatchObject({ ok: false, code: 'quota_exceeded' })
  })
})
