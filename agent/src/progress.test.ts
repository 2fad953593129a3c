import type { AgentJobRecord } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import type { EngineProgress } from './engine/torrent-engine.ts'
import {
  changedFileBytes,
  fileBytesOf,
  freshWatch,
  pendingFiles,
  phaseOf,
  progressOf,
  progressUpdate,
  tickVerdict,
} from './progress.ts'

function record(overrides: Partial<AgentJobRecord> = {}): AgentJobRecord {
  return {
    start: {} as AgentJobRecord['start'],
    status: 'downloading',
    seq: 0,
    files: [
      { index: 0, path: 'a', size: 100 },
      { index: 1, path: 'b', size: 300 },
      { index: 2, path: 'c', size: 600 },
    ],
    name: 'set',
    selected: [0, 2],
    uploaded: {},
    error: null,
    updatedAt: new Date(0).toISOString(),
    ...overrides,
  }
}

function live(overrides: Partial<EngineProgress> = {}): EngineProgress {
  return {
    bytesDone: 0,
    received: 0,
    downloadSpeed: 0,
    uploadSpeed: 0,
    peers: 0,
    seeds: 0,
    ...overrides,
  }
}

const stored = { 0: { index: 0, key: 'content/x/0', size: 100, mimeType: 'text/plain' } }

describe('progressOf with gaps in the indexes (padding files are never listed)', () => {
  it('sizes each selected file by its own index, not by its position in the list', () => {
    const padded = record({
      files: [
        { index: 0, path: 'a', size: 100 },
        { index: 2, path: 'c', size: 600 },
      ],
      selected: [2],
      uploaded: { 2: { index: 2, key: 'content/x/2', size: 600, mimeType: 'text/plain' } },
    })
    expect(progressOf(padded, null, new Map())).toMatchObject({
      total: 600,
      done: 600,
      uploaded: 600,
      pct: 100,
    })
  })
})

describe('pendingFiles', () => {
  it('lists the selected files not in storage yet', () => {
    expect(pendingFiles(record())).toEqual([0, 2])
    expect(pendingFiles(record({ uploaded: stored }))).toEqual([2])
    expect(pendingFiles(record({ selected: null }))).toEqual([])
  })
})

describe('progressOf', () => {
  it('is zero of nothing before metadata', () => {
    expect(progressOf(record({ files: null, selected: null }), null, new Map())).toEqual({
      total: 0,
      done: 0,
      uploaded: 0,
      pct: 0,
      live: null,
    })
  })

  it('counts stored files as done and adds the verified bytes of the pending ones', () => {
    const progress = progressOf(record({ uploaded: stored }), live({ bytesDone: 150 }), new Map())
    expect(progress).toMatchObject({ total: 700, done: 250, uploaded: 100 })
    expect(progress.pct).toBeCloseTo(250 / 7)
  })

  it('counts the parts of a file still uploading', () => {
    const uploading = new Map([[2, 64]])
    expect(progressOf(record({ uploaded: stored }), null, uploading).uploaded).toBe(164)
  })

  it('never goes past the total', () => {
    const progress = progressOf(record(), live({ bytesDone: 10_000 }), new Map())
    expect(progress).toMatchObject({ done: 700, pct: 100 })
  })
})

describe('phaseOf', () => {
  it('names the phase a status reports', () => {
    expect(phaseOf('metadata_fetch')).toBe('metadata_fetch')
    expect(phaseOf('downloading')).toBe('downloading')
    expect(phaseOf('uploading')).toBe('uploading')
    expect(phaseOf('paused')).toBe('downloading')
  })
})

describe('progressUpdate', () => {
  it('rounds the percentage and speeds and estimates the time left', () => {
    const progress = progressOf(
      record(),
      live({ bytesDone: 233, downloadSpeed: 100.4, uploadSpeed: 7.6, peers: 3, seeds: 1 }),
      new Map(),
    )
    expect(progressUpdate(progress, 'downloading')).toEqual({
      type: 'progress_update',
      phase: 'downloading',
      progressPct: 33.29,
      bytesDownloaded: 233,
      bytesTotal: 700,
      downloadSpeed: 100,
      uploadSpeed: 8,
      eta: 5,
      peers: 3,
      seeds: 1,
      bytesUploaded: 0,
    })
  })

  it('has no estimate when nothing is arriving', () => {
    const progress = progressOf(record(), live(), new Map())
    expect(progressUpdate(progress, 'downloading')).toMatchObject({ eta: null, peers: 0 })
  })
})

describe('tickVerdict', () => {
  const stall = 30_000

  it('remembers when the verified bytes last moved', () => {
    const verdict = tickVerdict(freshWatch(0), 'downloading', { done: 0, total: 10 }, 5, stall)
    expect(verdict).toEqual({
      watch: { lastDone: 0, lastChange: 5 },
      stalled: false,
      downloaded: false,
    })
  })

  it('waits out the stall timeout before calling a download stalled', () => {
    const watch = { lastDone: 4, lastChange: 1000 }
    const at = (now: number) =>
      tickVerdict(watch, 'downloading', { done: 4, total: 10 }, now, stall)
    expect(at(1000 + stall).stalled).toBe(false)
    expect(at(1001 + stall)).toEqual({ watch, stalled: true, downloaded: false })
  })

  it('does not call a job stalled while it fetches metadata or uploads', () => {
    const watch = { lastDone: 4, lastChange: 0 }
    for (const status of ['metadata_fetch', 'uploading'] as const) {
      expect(tickVerdict(watch, status, { done: 4, total: 10 }, 10 * stall, stall).stalled).toBe(
        false,
      )
    }
  })

  it('does not call a finished download stalled', () => {
    const watch = { lastDone: 10, lastChange: 0 }
    const verdict = tickVerdict(watch, 'downloading', { done: 10, total: 10 }, 10 * stall, stall)
    expect(verdict).toEqual({ watch, stalled: false, downloaded: true })
  })

  it('moves a download to uploading once every selected byte is verified', () => {
    const verdict = tickVerdict(freshWatch(0), 'downloading', { done: 10, total: 10 }, 1, stall)
    expect(verdict.downloaded).toBe(true)
    expect(
      tickVerdict(freshWatch(0), 'uploading', { done: 10, total: 10 }, 1, stall).downloaded,
    ).toBe(false)
  })

  it('does not take an empty selection as downloaded', () => {
    expect(
      tickVerdict(freshWatch(0), 'downloading', { done: 0, total: 0 }, 1, stall).downloaded,
    ).toBe(false)
  })
})

describe('per-file progress', () => {
  it('counts each selected file: its size once stored, else what the engine verified of it', () => {
    const perFile = live({ fileBytes: new Map([[2, 250]]) })
    expect(fileBytesOf(record({ uploaded: stored }), perFile)).toEqual(
      new Map([
        [0, 100],
        [2, 250],
      ]),
    )
    expect(fileBytesOf(record(), null)).toEqual(
      new Map([
        [0, 0],
        [2, 0],
      ]),
    )
  })

  it('reports every file the first time, then only the files whose bytes changed', () => {
    const sent = new Map<number, number>()
    expect(
      changedFileBytes(
        new Map([
          [0, 0],
          [2, 10],
        ]),
        sent,
      ),
    ).toEqual({ 0: 0, 2: 10 })
    expect(
      changedFileBytes(
        new Map([
          [0, 0],
          [2, 10],
        ]),
        sent,
      ),
    ).toEqual({})
    expect(
      changedFileBytes(
        new Map([
          [0, 40],
          [2, 10],
        ]),
        sent,
      ),
    ).toEqual({ 0: 40 })
  })

  it('carries the changed files on the progress report, and leaves the field out when none did', () => {
    const progress = progressOf(record(), live({ bytesDone: 50 }), new Map())
    expect(progressUpdate(progress, 'downloading', { 2: 50 }).fileBytes).toEqual({ 2: 50 })
    expect(progressUpdate(progress, 'downloading', {})).not.toHaveProperty('fileBytes')
  })
})
