// Which of an agent's jobs may move bytes. A transfer slot is for moving bytes: a job holds one
// while it fetches metadata and connects (up to park-after ms) and while its bytes move; a job
// with no metadata, or whose bytes stopped, is parked (stays in the engine, selects nothing) and
// takes a slot back when it can use one. Pure: times are epoch ms, every change is a new map.
import type { AgentJobStatus, ParkedWaiting } from '@tseeder/shared'

export type ParkReason = 'metadata' | 'peers' | 'transfer_slot'

/** What a job on the agent holds: a transfer slot since `since`, or a place among the parked. */
export type Hold =
  | { kind: 'transfer'; since: number }
  | { kind: 'parked'; reason: ParkReason; since: number; until: number | null }

export interface SlotLimits {
  /** Transfer slots. */
  capacity: number
  /** Parked jobs kept beside them. */
  idleCapacity: number
}

export type Holds = ReadonlyMap<string, Hold>

export interface SlotChange {
  holds: Map<string, Hold>
  /** Parked jobs that took a transfer slot with this change, in the order they got it. */
  granted: string[]
}

export type Admission = { ok: true } | { ok: false; code: 'at_capacity'; message: string }

export function countHolds(holds: Holds): { transfers: number; parked: number } {
  let transfers = 0
  for (const hold of holds.values()) if (hold.kind === 'transfer') transfers++
  return { transfers, parked: holds.size - transfers }
}

/** Whether a new (or resumed) job may start now: it needs a free slot and room on the agent. */
export function admission(holds: Holds, limits: SlotLimits): Admission {
  const { transfers, parked } = countHolds(holds)
  if (transfers >= limits.capacity) {
    return {
      ok: false,
      code: 'at_capacity',
      message:
        limits.capacity === 1
          ? 'The one transfer slot of this agent is busy.'
          : `All ${limits.capacity} transfer slots of this agent are busy.`,
    }
  }
  if (holds.size >= limits.capacity + limits.idleCapacity) {
    return {
      ok: false,
      code: 'at_capacity',
      message: `This agent holds as many torrents as it can: ${transfers} transferring and ${parked} looking for metadata or peers.`,
    }
  }
  return { ok: true }
}

/** A new or resumed job takes a transfer slot (after {@link admission} allowed it). */
export function take(holds: Holds, jobId: string, now: number): Map<string, Hold> {
  return new Map(holds).set(jobId, { kind: 'transfer', since: now })
}

/**
 * A job recovered after a restart: a slot when one is free, otherwise parked looking for its
 * metadata (until it gives up) or, metadata in hand, waiting for a slot. Never refused: its
 * record was accepted before.
 */
export function place(
  holds: Holds,
  jobId: string,
  now: number,
  limits: SlotLimits,
  job: { hasMetadata: boolean; metadataUntil: number },
): Map<string, Hold> {
  const next = new Map(holds)
  next.delete(jobId)
  if (countHolds(next).transfers < limits.capacity) return take(next, jobId, now)
  return next.set(
    jobId,
    job.hasMetadata
      ? { kind: 'parked', reason: 'transfer_slot', since: now, until: null }
      : { kind: 'parked', reason: 'metadata', since: now, until: job.metadataUntil },
  )
}

/** Parks a job holding a slot; the slot goes to the job waiting longest for one. */
export function park(
  holds: Holds,
  jobId: string,
  waiting: { reason: 'metadata' | 'peers'; since: number; until: number | null },
  now: number,
  limits: SlotLimits,
): SlotChange {
  const next = new Map(holds).set(jobId, { kind: 'parked', ...waiting })
  return fill(next, now, limits)
}

/**
 * A parked job that can move bytes again (metadata arrived, a peer has pieces): it takes a free
 * slot at once unless jobs that waited longer want it; otherwise it waits for one.
 */
export function want(holds: Holds, jobId: string, now: number, limits: SlotLimits): SlotChange {
  const hold = holds.get(jobId)
  if (hold?.kind === 'transfer') return { holds: new Map(holds), granted: [] }
  const since = hold?.kind === 'parked' && hold.reason === 'transfer_slot' ? hold.since : now
  const next = new Map(holds).set(jobId, {
    kind: 'parked',
    reason: 'transfer_slot',
    since,
    until: null,
  })
  return fill(next, now, limits)
}

/** A job ended, paused or went away: its slot, if it had one, goes to the waiting jobs. */
export function release(holds: Holds, jobId: string, now: number, limits: SlotLimits): SlotChange {
  const next = new Map(holds)
  next.delete(jobId)
  return fill(next, now, limits)
}

/** Gives free slots to the jobs waiting for one, longest wait first. */
function fill(holds: Map<string, Hold>, now: number, limits: SlotLimits): SlotChange {
  const waiting = [...holds.entries()]
    .filter(([, h]) => h.kind === 'parked' && h.reason === 'transfer_slot')
    .sort(([, a], [, b]) => a.since - b.since)
  const free = limits.capacity - countHolds(holds).transfers
  const granted = waiting.slice(0, Math.max(0, free)).map(([jobId]) => jobId)
  for (const jobId of granted) holds.set(jobId, { kind: 'transfer', since: now })
  return { holds, granted }
}

/** The `waiting` a job's progress reports carry: null while it holds a slot. */
export function waitingOf(hold: Hold | undefined): ParkedWaiting | null {
  if (hold?.kind !== 'parked') return null
  return {
    reason: hold.reason,
    since: new Date(hold.since).toISOString(),
    until: hold.until === null ? null : new Date(hold.until).toISOString(),
  }
}

/** What a progress tick sees of a job, for {@link slotMove}. */
export interface SlotView {
  status: AgentJobStatus
  hasMetadata: boolean
  /** When this run began fetching metadata. */
  fetchStart: number
  /** When the job's verified bytes last moved (or were first looked at). */
  lastByte: number
  done: number
  total: number
  /** Connected peers that have pieces the job still lacks. */
  usefulPeers: number
}

export interface SlotTimes {
  parkAfterMs: number
  metadataTimeoutMs: number
  stallTimeoutMs: number
}

export type SlotMove =
  { park: { reason: 'metadata' | 'peers'; since: number; until: number } } | { want: true } | null

/**
 * Whether a job gives its slot back (no metadata, or bytes not moving, for park-after ms since
 * it took the slot) or, parked, wants one again (metadata arrived; a peer has pieces it lacks).
 * A parked job's `until` is when its existing timeout fails it.
 */
export function slotMove(hold: Hold, job: SlotView, now: number, times: SlotTimes): SlotMove {
  if (hold.kind === 'transfer') {
    if (!job.hasMetadata && job.status === 'metadata_fetch') {
      if (now - hold.since < times.parkAfterMs) return null
      const since = job.fetchStart
      return { park: { reason: 'metadata', since, until: since + times.metadataTimeoutMs } }
    }
    const moving = job.status !== 'downloading' || job.total === 0 || job.done >= job.total
    if (moving || now - Math.max(job.lastByte, hold.since) < times.parkAfterMs) return null
    const since = job.lastByte
    return { park: { reason: 'peers', since, until: since + times.stallTimeoutMs } }
  }
  if (hold.reason === 'metadata' && job.hasMetadata) return { want: true }
  if (hold.reason === 'peers' && job.usefulPeers > 0) return { want: true }
  return null
}
