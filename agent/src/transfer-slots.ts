import type { ParkedWaiting } from '@tseeder/shared'
import {
  type Admission,
  type Hold,
  type ParkReason,
  type SlotChange,
  type SlotLimits,
  admission,
  countHolds,
  park,
  place,
  release,
  take,
  waitingOf,
  want,
} from './slots.ts'

export interface TransferSlotsHooks {
  /** A parked job took a transfer slot (it was parked for `from`): it may select its files. */
  granted(jobId: string, from: ParkReason): void
  /** Transfers or parked jobs changed. */
  changed(counts: { transfers: number; parked: number }): void
  /** A transfer slot is free and no parked job took it: the API may fill it. */
  freed(): void
}

/**
 * The agent's transfer slots and parked jobs: applies the decisions of `slots.ts` and tells the
 * jobs and the agent what changed. One per agent, shared by every job run.
 */
export class TransferSlots {
  private holds = new Map<string, Hold>()

  constructor(
    readonly limits: SlotLimits,
    private readonly hooks: TransferSlotsHooks,
  ) {}

  hold(jobId: string): Hold | undefined {
    return this.holds.get(jobId)
  }

  waiting(jobId: string): ParkedWaiting | null {
    return waitingOf(this.holds.get(jobId))
  }

  counts(): { transfers: number; parked: number } {
    return countHolds(this.holds)
  }

  admission(): Admission {
    return admission(this.holds, this.limits)
  }

  /** A new or resumed job takes a slot (after {@link admission}). */
  take(jobId: string): void {
    this.apply({ holds: take(this.holds, jobId, Date.now()), granted: [] })
  }

  /** A job recovered after a restart: a slot if one is free, else parked. */
  place(jobId: string, job: { hasMetadata: boolean; metadataUntil: number }): void {
    this.apply({ holds: place(this.holds, jobId, Date.now(), this.limits, job), granted: [] })
  }

  park(jobId: string, waiting: Parameters<typeof park>[2]): void {
    this.apply(park(this.holds, jobId, waiting, Date.now(), this.limits))
  }

  /** A parked job can move bytes again; true if it holds a slot now. */
  want(jobId: string): boolean {
    this.apply(want(this.holds, jobId, Date.now(), this.limits))
    return this.holds.get(jobId)?.kind === 'transfer'
  }

  release(jobId: string): void {
    if (!this.holds.has(jobId)) return
    this.apply(release(this.holds, jobId, Date.now(), this.limits))
  }

  private apply(change: SlotChange): void {
    const before = this.holds
    const was = countHolds(before)
    this.holds = change.holds
    const now = countHolds(this.holds)
    this.hooks.changed(now)
    for (const jobId of change.granted) {
      const from = before.get(jobId)
      this.hooks.granted(jobId, from?.kind === 'parked' ? from.reason : 'transfer_slot')
    }
    if (now.transfers < was.transfers && now.transfers < this.limits.capacity) this.hooks.freed()
  }
}
