import { describe, expect, it } from 'vitest'
import {
  type Hold,
  type SlotLimits,
  admission,
  countHolds,
  park,
  place,
  release,
  slotMove,
  take,
  waitingOf,
  want,
} from './slots.ts'

const limits: SlotLimits = { capacity: 2, idleCapacity: 3 }
const timeouts = { parkAfterMs: 60_000, metadataTimeoutMs: 600_000, stallTimeoutMs: 1_800_000 }

function holds(entries: Record<string, Hold>): Map<string, Hold> {
  return new Map(Object.entries(entries))
}

const transfer = (since = 0): Hold => ({ kind: 'transfer', since })
const parked = (reason: 'metadata' | 'peers' | 'transfer_slot', since = 0): Hold => ({
  kind: 'parked',
  reason,
  since,
  until: null,
})

describe('admission', () => {
  it('admits a job while a transfer slot is free', () => {
    expect(admission(holds({ a: transfer() }), limits)).toEqual({ ok: true })
  })

  it('refuses a job when every transfer slot is busy, however many parked jobs there are', () => {
    const verdict = admission(holds({ a: transfer(), b: transfer() }), limits)
    expect(verdict).toMatchObject({ ok: false, code: 'at_capacity' })
    expect(!verdict.ok && verdict.message).toBe('All 2 transfer slots of this agent are busy.')
  })

  it('refuses a job when the agent holds as many torrents as its slots and idle room allow', () => {
    const full = holds({
      a: transfer(),
      b: parked('metadata'),
      c: parked('peers'),
      d: parked('metadata'),
      e: parked('peers'),
    })
    const verdict = admission(full, limits)
    expect(verdict).toMatchObject({ ok: false, code: 'at_capacity' })
    expect(!verdict.ok && verdict.message).toBe(
      'This agent holds as many torrents as it can: 1 transferring and 4 looking for metadata or peers.',
    )
  })

  it('counts transfers and parked jobs apart', () => {
    expect(countHolds(holds({ a: transfer(), b: parked('peers'), c: parked('metadata') }))).toEqual(
      { transfers: 1, parked: 2 },
    )
  })
})

describe('taking, parking and releasing slots', () => {
  it('gives a new job a transfer slot from now', () => {
    expect(take(holds({}), 'a', 50).get('a')).toEqual({ kind: 'transfer', since: 50 })
  })

  it('parks a job: its slot goes to the job that has waited longest for one', () => {
    const before = holds({
      a: transfer(),
      b: transfer(),
      late: parked('transfer_slot', 30),
      early: parked('transfer_slot', 20),
    })
    const change = park(before, 'a', { reason: 'peers', since: 5, until: 99 }, 100, limits)
    expect(change.granted).toEqual(['early'])
    expect(change.holds.get('early')).toEqual({ kind: 'transfer', since: 100 })
    expect(change.holds.get('late')).toEqual(parked('transfer_slot', 30))
    expect(change.holds.get('a')).toEqual({ kind: 'parked', reason: 'peers', since: 5, until: 99 })
    expect(before.get('a')).toEqual(transfer())
  })

  it('releases an ended job: waiting jobs fill every free slot, oldest first', () => {
    const change = release(
      holds({ a: transfer(), x: parked('transfer_slot', 9), y: parked('transfer_slot', 3) }),
      'a',
      10,
      { capacity: 3, idleCapacity: 3 },
    )
    expect(change.granted).toEqual(['y', 'x'])
    expect(change.holds.has('a')).toBe(false)
    expect(countHolds(change.holds)).toEqual({ transfers: 2, parked: 0 })
  })

  it('grants nothing when a released job held no slot', () => {
    const change = release(
      holds({ a: transfer(), b: transfer(), p: parked('peers') }),
      'p',
      1,
      limits,
    )
    expect(change.granted).toEqual([])
    expect(countHolds(change.holds)).toEqual({ transfers: 2, parked: 0 })
  })
})

describe('a parked job that can move bytes again', () => {
  it('takes a free slot at once', () => {
    const change = want(holds({ a: parked('metadata') }), 'a', 7, limits)
    expect(change.granted).toEqual(['a'])
    expect(change.holds.get('a')).toEqual({ kind: 'transfer', since: 7 })
  })

  it('waits for a transfer slot when none is free, keeping the time it began to wait', () => {
    const busy = holds({ a: transfer(), b: transfer(), c: parked('peers', 1) })
    const first = want(busy, 'c', 10, limits)
    expect(first.granted).toEqual([])
    expect(first.holds.get('c')).toEqual({
      kind: 'parked',
      reason: 'transfer_slot',
      since: 10,
      until: null,
    })
    expect(want(first.holds, 'c', 20, limits).holds.get('c')).toMatchObject({ since: 10 })
  })

  it('does not pass a job that has waited longer for a slot', () => {
    const change = want(
      holds({ a: transfer(), w: parked('transfer_slot', 1), c: parked('peers') }),
      'c',
      10,
      { capacity: 1, idleCapacity: 3 },
    )
    expect(change.granted).toEqual([])
    expect(change.holds.get('c')).toMatchObject({ reason: 'transfer_slot' })
  })
})

describe('placing a job recovered after a restart', () => {
  it('gives it a slot when one is free', () => {
    expect(
      place(holds({}), 'a', 5, limits, { hasMetadata: false, metadataUntil: 9 }).get('a'),
    ).toEqual(transfer(5))
  })

  it('parks it looking for metadata, or waiting for a slot, when none is free', () => {
    const busy = holds({ a: transfer(), b: transfer() })
    expect(place(busy, 'c', 5, limits, { hasMetadata: false, metadataUntil: 9 }).get('c')).toEqual({
      kind: 'parked',
      reason: 'metadata',
      since: 5,
      until: 9,
    })
    expect(place(busy, 'c', 5, limits, { hasMetadata: true, metadataUntil: 9 }).get('c')).toEqual(
      parked('transfer_slot', 5),
    )
  })
})

describe('waitingOf', () => {
  it('is null for a transfer and the reason with ISO times for a parked job', () => {
    expect(waitingOf(transfer())).toBeNull()
    expect(waitingOf(undefined)).toBeNull()
    expect(waitingOf({ kind: 'parked', reason: 'peers', since: 0, until: 1000 })).toEqual({
      reason: 'peers',
      since: '1970-01-01T00:00:00.000Z',
      until: '1970-01-01T00:00:01.000Z',
    })
  })
})

describe('slotMove', () => {
  const fetching = {
    status: 'metadata_fetch' as const,
    hasMetadata: false,
    fetchStart: 1000,
    lastByte: 1000,
    done: 0,
    total: 0,
    usefulPeers: 0,
  }
  const downloading = {
    ...fetching,
    status: 'downloading' as const,
    hasMetadata: true,
    done: 10,
    total: 100,
  }

  it('lets a job fetch metadata with its slot for park-after ms, then parks it until the metadata timeout', () => {
    expect(slotMove(transfer(1000), fetching, 60_999, timeouts)).toBeNull()
    expect(slotMove(transfer(1000), fetching, 61_000, timeouts)).toEqual({
      park: { reason: 'metadata', since: 1000, until: 601_000 },
    })
  })

  it('parks a download whose bytes have not moved for park-after ms, until the stall timeout from its last byte', () => {
    const stalled = { ...downloading, lastByte: 5000 }
    expect(slotMove(transfer(0), stalled, 64_999, timeouts)).toBeNull()
    expect(slotMove(transfer(0), stalled, 65_000, timeouts)).toEqual({
      park: { reason: 'peers', since: 5000, until: 1_805_000 },
    })
  })

  it('gives a job that just took a slot park-after ms to move bytes, however old its last byte', () => {
    const stalled = { ...downloading, lastByte: 0 }
    expect(slotMove(transfer(100_000), stalled, 159_999, timeouts)).toBeNull()
    expect(slotMove(transfer(100_000), stalled, 160_000, timeouts)).toMatchObject({
      park: { reason: 'peers', since: 0 },
    })
  })

  it('never parks a job whose bytes are all there (uploading) or one without a size yet', () => {
    expect(slotMove(transfer(0), { ...downloading, done: 100 }, 1e9, timeouts)).toBeNull()
    expect(slotMove(transfer(0), { ...downloading, status: 'uploading' }, 1e9, timeouts)).toBeNull()
  })

  it('wants a slot back for a job parked for peers once a peer has pieces it lacks', () => {
    expect(slotMove(parked('peers'), downloading, 1e9, timeouts)).toBeNull()
    expect(slotMove(parked('peers'), { ...downloading, usefulPeers: 1 }, 1e9, timeouts)).toEqual({
      want: true,
    })
  })

  it('wants a slot back for a job parked for metadata once the metadata is there', () => {
    expect(slotMove(parked('metadata'), fetching, 1e9, timeouts)).toBeNull()
    expect(slotMove(parked('metadata'), downloading, 1e9, timeouts)).toEqual({ want: true })
  })

  it('leaves a job waiting for a transfer slot as it is', () => {
    expect(
      slotMove(parked('transfer_slot'), { ...downloading, usefulPeers: 3 }, 1e9, timeouts),
    ).toBeNull()
  })
})
