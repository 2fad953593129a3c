import { type ClockTimeOptions, formatClockTime, formatEta, formatOrdinal } from './format.ts'
import { isActiveStatus } from './lifecycle.ts'
import type { JobWaiting } from './schemas/events.ts'
import type { Job } from './schemas/job.ts'
import type { Plan } from './schemas/plan.ts'

/** What {@link waitingText} reads of a job. */
export type WaitingJob = Pick<Job, 'status' | 'queuePosition' | 'waiting'>

export interface WaitingTextOptions extends ClockTimeOptions {
  /** The moment the text is for (ms since the epoch): elapsed and remaining times count from it. */
  now: number
  /** The owner's plan's transfers at a time (`Plan.maxActiveJobs`), when the screen knows it. */
  maxTransfers?: number | null
}

/**
 * True when the job moves no bytes because it waits: in the line for an agent, or parked on
 * one. A paused or ended job does not wait, whatever stale state it carries.
 */
export function isWaiting(job: WaitingJob): boolean {
  if (!isActiveStatus(job.status)) return false
  return job.waiting !== null || job.status === 'queued'
}

/**
 * Why a job waits and until when, in the words the web app and the extension show under it;
 * null when it does not wait. Elapsed and remaining times are counted from `now`, so a screen
 * re-renders it as its clock ticks.
 *
 * @example
 * waitingText(job, { now: Date.now(), maxTransfers: plan.maxActiveJobs })
 * // "In line — 3rd · starts as soon as an agent is free"
 * // "Looking for peers — none seen for 4m · gives up at 17:10"
 */
export function waitingText(job: WaitingJob, options: WaitingTextOptions): string | null {
  if (!isWaiting(job)) return null
  const waiting = job.waiting
  if (!waiting || waiting.reason === 'in_line') {
    const place = job.queuePosition ? ` — ${formatOrdinal(job.queuePosition)}` : ''
    return withGiveUp(`In line${place} · starts as soon as an agent is free`, waiting, options)
  }
  switch (waiting.reason) {
    case 'own_limit':
      return withGiveUp(ownLimitText(options.maxTransfers), waiting, options)
    case 'retry_later':
      return `An agent failed; trying again ${retryIn(waiting.until, options.now)}`
    case 'metadata':
      return withGiveUp(`Fetching metadata — ${waitedFor(waiting, options.now)}`, waiting, options)
    case 'peers':
      return withGiveUp(
        `Looking for peers — none seen for ${waitedFor(waiting, options.now)}`,
        waiting,
        options,
      )
    case 'transfer_slot':
      return withGiveUp('Peers found — waiting for a free transfer slot', waiting, options)
  }
}

function ownLimitText(maxTransfers: number | null | undefined): string {
  if (!maxTransfers) return 'Waiting for one of your transfers to finish (your plan’s limit)'
  const which = maxTransfers === 1 ? 'your other transfer' : 'one of your transfers'
  return `Waiting for ${which} to finish (your plan runs ${maxTransfers} at a time)`
}

function withGiveUp(text: string, waiting: JobWaiting | null, options: WaitingTextOptions): string {
  if (!waiting?.until) return text
  return `${text} · gives up at ${formatClockTime(waiting.until, options.now, options)}`
}

function retryIn(until: string | null, now: number): string {
  if (until === null) return 'soon'
  const seconds = Math.ceil((Date.parse(until) - now) / 1000)
  return Number.isFinite(seconds) && seconds > 0 ? `in ${formatEta(seconds)}` : 'now'
}

/** Seconds while under a minute, whole minutes after: the text need not tick every second then. */
function waitedFor(waiting: JobWaiting, now: number): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(waiting.since)) / 1000))
  return formatEta(seconds < 60 ? seconds : seconds - (seconds % 60))
}

/**
 * A plan's room for jobs, in the words the settings and a refused job show.
 *
 * @example planCapacityText(plan) // "2 transfers at a time · up to 10 waiting"
 */
export function planCapacityText(plan: Pick<Plan, 'maxActiveJobs' | 'maxQueuedJobs'>): string {
  const transfers =
    plan.maxActiveJobs === null
      ? 'any number of transfers'
      : `${plan.maxActiveJobs} transfer${plan.maxActiveJobs === 1 ? '' : 's'}`
  const waiting = plan.maxQueuedJobs === null ? 'any number' : `up to ${plan.maxQueuedJobs}`
  return `${transfers} at a time · ${waiting} waiting`
}
