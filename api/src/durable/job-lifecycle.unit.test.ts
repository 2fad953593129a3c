import { describe, expect, it } from 'vitest'
import {
  AgentCallback,
  JobAction,
  JobStatus,
  type JobProgressState,
  type JobStatus as Status,
} from '@tseeder/shared'
import { MAX_TORRENT_FILES } from '@tseeder/shared/torrent'
import {
  LIFECYCLE_INPUT_TYPES,
  type Effect,
  type InFlightDownload,
  type LifecycleInput,
} from './job-intents.ts'
import { decide, PERSIST_INTERVAL } from './job-lifecycle.ts'

const NOW = Date.parse('2026-01-01T00:00:00Z')
const AGENT = 'agent-1'

/** A job in `status` as the lifecycle leaves it: an agent holds it while it runs or is paused. */
function job(status: Status, overrides: Partial<JobProgressState> = {}): JobProgressState {
  const assigned = ['metadata_fetch', 'downloading', 'uploading', 'paused'].includes(status)
  return {
    progressPct: 10,
    bytesDownloaded: 100,
    bytesTotal: 1000,
    downloadSpeed: 50,
    uploadSpeed: 5,
    eta: 18,
    peers: 2,
    seeds: 1,
    jobId: 'job-1',
    userId: 'user-1',
    infohash: 'a'.repeat(40),
    status,
    selectedFiles: null,
    awaitingFiles: false,
    storedBytes: 0,
    lastHeartbeat: NOW - 1000,
    workerId: assigned ? AGENT : null,
    attempt: assigned ? 1 : 0,
    tries: assigned ? 1 : 0,
    lastAgentSeq: 0,
    seq: 3,
    persistedAt: NOW - 1000,
    leaderId: null,
    ...overrides,
  }
}

const files = [
  { index: 0, path: 'demo/a.txt', size: 600 },
  { index: 1, path: 'demo/b.mp4', size: 400 },
]
const callback = (
  cb: Record<string, unknown>,
): Extract<LifecycleInput, { type: 'agent_callback' }> => ({
  type: 'agent_callback',
  agentId: AGENT,
  callback: AgentCallback.parse({ jobId: 'job-1', seq: 1, attempt: 1, ...cb }),
  checks: { quotaProblem: null, blockedReason: null },
})
const metadataReady = {
  type: 'metadata_ready',
  infohash: 'a'.repeat(40),
  name: 'demo',
  bytesTotal: 1000,
  files,
}
const progress = {
  type: 'progress_update',
  phase: 'downloading',
  progressPct: 50,
  bytesDownloaded: 500,
  bytesTotal: 1000,
  downloadSpeed: 10,
  uploadSpeed: 1,
  eta: 50,
  peers: 3,
  seeds: 2,
}
const stored = files.map((f) => ({ ...f, key: `content/${'a'.repeat(40)}/${f.index}` }))
const action = (
  a: JobAction,
  selectedFiles?: number[],
  operatorReason?: string,
): LifecycleInput => ({
  type: 'user_action',
  action: a,
  selectedFiles,
  files: [],
  ...(operatorReason === undefined ? {} : { operatorReason }),
})

/** Another user's download of the same content, as a resumed or retried job finds it. */
const inFlight = (
  overrides: Partial<InFlightDownload> = {},
  bytesDownloaded = 700,
): InFlightDownload => ({
  id: 'leader-1',
  status: 'downloading',
  progress: {
    progressPct: bytesDownloaded / 10,
    bytesDownloaded,
    bytesTotal: 1000,
    downloadSpeed: 80,
    uploadSpeed: 8,
    eta: 4,
    peers: 5,
    seeds: 3,
    fileBytes: { 0: Math.min(600, bytesDownloaded), 1: Math.max(0, bytesDownloaded - 600) },
  },
  coversMe: true,
  coveredByMe: true,
  ...overrides,
})
const riding = (a: JobAction, other = inFlight()): LifecycleInput => ({
  ...(action(a) as Extract<LifecycleInput, { type: 'user_action' }>),
  inFlight: other,
})

/** Every change the core handles, with the job it meets when it needs more than the default. */
const CHANGES = {
  created: { input: { type: 'created' } },
  waiting: {
    input: { type: 'waiting', reason: { code: 'agent_error', message: 'Agent error.' } },
  },
  waiting_last_try: {
    input: { type: 'waiting', reason: { code: 'agent_error', message: 'Agent error.' } },
    job: { tries: 4 },
  },
  dispatched: { input: { type: 'dispatched', agentId: 'agent-2', attempt: 2 } },
  move_to_line: {
    input: { type: 'move_to_line', error: { code: 'agent_draining', message: 'Drained.' } },
  },
  fail_permanently: {
    input: { type: 'fail_permanently', error: { code: 'blocked', message: 'Blocked.' } },
  },
  complete_from_content: { input: { type: 'complete_from_content', stored } },
  metadata_ready: { input: callback(metadataReady) },
  metadata_over_quota: {
    input: {
      ...callback(metadataReady),
      checks: { quotaProblem: 'Too big.', blockedReason: null },
    },
  },
  metadata_blocked: {
    input: { ...callback(metadataReady), checks: { quotaProblem: null, blockedReason: 'DMCA' } },
  },
  metadata_awaiting_files: { input: callback(metadataReady), job: { awaitingFiles: true } },
  metadata_too_many_files: {
    input: callback({
      ...metadataReady,
      files: Array.from({ length: MAX_TORRENT_FILES + 1 }, (_, index) => ({
        index,
        path: `demo/${index}`,
        size: 1,
      })),
    }),
  },
  progress_update: { input: callback(progress) },
  completed: { input: callback({ type: 'completed', files: stored }) },
  failed_retryable: {
    input: callback({ type: 'failed', code: 'io', message: 'Disk.', retryable: true }),
  },
  failed_final: {
    input: callback({ type: 'failed', code: 'no_peers', message: 'None.', retryable: false }),
  },
  pause: { input: action('pause') },
  resume: { input: action('resume') },
  resume_without_agent: { input: action('resume'), job: { workerId: null } },
  resume_behind_download: { input: riding('resume') },
  resume_ahead_of_download: { input: riding('resume', inFlight({}, 50)) },
  resume_without_agent_riding: { input: riding('resume'), job: { workerId: null } },
  retry_riding: { input: riding('retry'), job: { workerId: null } },
  cancel: { input: action('cancel') },
  retry: { input: action('retry') },
  operator_cancel: { input: action('cancel', undefined, 'Abuse report.') },
  operator_retry: { input: action('retry', undefined, 'Agent fixed.') },
  agent_resumed: { input: { type: 'agent_resumed', ok: true, files: [] } },
  agent_not_resumed: { input: { type: 'agent_resumed', ok: false, files: [] } },
  agent_not_resumed_riding: {
    input: { type: 'agent_resumed', ok: false, files: [], inFlight: inFlight({}, 50) },
  },
  follow: { input: { type: 'follow', leader: inFlight({ status: 'metadata_fetch' }) } },
  mirror: {
    input: { type: 'mirror', change: { status: 'downloading' } },
    job: { leaderId: 'leader-1', workerId: null },
  },
  become_leader: { input: { type: 'become_leader' }, job: { leaderId: 'leader-1' } },
  set_leader: { input: { type: 'set_leader', leaderId: 'leader-2' } },
  stale_check: { input: { type: 'stale_check' }, job: { lastHeartbeat: NOW - 31_000 } },
  deleted: { input: { type: 'deleted' } },
  active_slot_refused: { input: { type: 'active_slot_refused', message: 'No slot.' } },
} satisfies Record<string, { input: LifecycleInput; job?: Partial<JobProgressState> }>
type ChangeKind = keyof typeof CHANGES

const {
  submitted: SUB,
  metadata_fetch: META,
  queued: Q,
  downloading: DL,
  uploading: UP,
  completed: DONE,
  paused: PAU,
  failed: FAIL,
  cancelled: CAN,
} = JobStatus.enum
const GONE = null

/** The status each change leaves a job in (null: forgotten), one column per status. */
// prettier-ignore
const TABLE: Record<ChangeKind, (Status | null)[]> = {
  //                       submitted metadata_fetch queued downloading uploading completed paused failed cancelled
  created:                 [Q,       META,          Q,     DL,         UP,       DONE,     PAU,   FAIL,  CAN],
  waiting:                 [Q,       META,          Q,     DL,         UP,       DONE,     PAU,   FAIL,  CAN],
  waiting_last_try:        [FAIL,    META,          FAIL,  DL,         UP,       DONE,     PAU,   FAIL,  CAN],
  dispatched:              [META,    META,          META,  DL,         UP,       DONE,     PAU,   FAIL,  CAN],
  move_to_line:            [SUB,     Q,             Q,     Q,          Q,        DONE,     PAU,   FAIL,  CAN],
  fail_permanently:        [FAIL,    FAIL,          FAIL,  FAIL,       FAIL,     DONE,     FAIL,  FAIL,  CAN],
  complete_from_content:   [DONE,    META,          DONE,  DL,         UP,       DONE,     PAU,   FAIL,  CAN],
  metadata_ready:          [SUB,     DL,            Q,     DL,         UP,       DONE,     PAU,   FAIL,  CAN],
  metadata_over_quota:     [SUB,     FAIL,          Q,     FAIL,       FAIL,     DONE,     FAIL,  FAIL,  CAN],
  metadata_blocked:        [SUB,     FAIL,          Q,     FAIL,       FAIL,     DONE,     FAIL,  FAIL,  CAN],
  metadata_awaiting_files: [SUB,     PAU,           Q,     PAU,        UP,       DONE,     PAU,   FAIL,  CAN],
  metadata_too_many_files: [SUB,     FAIL,          Q,     FAIL,       FAIL,     DONE,     FAIL,  FAIL,  CAN],
  progress_update:         [SUB,     DL,            Q,     DL,         UP,       DONE,     PAU,   FAIL,  CAN],
  completed:               [SUB,     DONE,          Q,     DONE,       DONE,     DONE,     PAU,   FAIL,  CAN],
  failed_retryable:        [SUB,     Q,             Q,     Q,          Q,        DONE,     Q,     FAIL,  CAN],
  failed_final:            [SUB,     FAIL,          Q,     FAIL,       FAIL,     DONE,     FAIL,  FAIL,  CAN],
  pause:                   [PAU,     PAU,           PAU,   PAU,        UP,       DONE,     PAU,   FAIL,  CAN],
  resume:                  [SUB,     META,          Q,     DL,         UP,       DONE,     PAU,   FAIL,  CAN],
  resume_without_agent:    [SUB,     META,          Q,     DL,         UP,       DONE,     Q,     FAIL,  CAN],
  resume_behind_download:  [SUB,     META,          Q,     DL,         UP,       DONE,     DL,    FAIL,  CAN],
  resume_ahead_of_download:[SUB,     META,          Q,     DL,         UP,       DONE,     PAU,   FAIL,  CAN],
  resume_without_agent_riding:[SUB,  META,          Q,     DL,         UP,       DONE,     DL,    FAIL,  CAN],
  retry_riding:            [SUB,     META,          Q,     DL,         UP,       DONE,     PAU,   DL,    CAN],
  cancel:                  [CAN,     CAN,           CAN,   CAN,        CAN,      DONE,     CAN,   FAIL,  CAN],
  retry:                   [SUB,     META,          Q,     DL,         UP,       DONE,     PAU,   Q,     CAN],
  operator_cancel:         [CAN,     CAN,           CAN,   CAN,        CAN,      DONE,     CAN,   FAIL,  CAN],
  operator_retry:          [SUB,     META,          Q,     DL,         UP,       DONE,     PAU,   Q,     CAN],
  agent_resumed:           [SUB,     META,          Q,     DL,         UP,       DONE,     DL,    FAIL,  CAN],
  agent_not_resumed:       [SUB,     META,          Q,     DL,         UP,       DONE,     Q,     FAIL,  CAN],
  agent_not_resumed_riding:[SUB,     META,          Q,     DL,         UP,       DONE,     DL,    FAIL,  CAN],
  follow:                  [META,    META,          META,  META,       UP,       DONE,     PAU,   FAIL,  CAN],
  mirror:                  [DL,      DL,            DL,    DL,         DL,       DONE,     PAU,   FAIL,  CAN],
  become_leader:           [Q,       Q,             Q,     Q,          Q,        Q,        Q,     Q,     Q],
  set_leader:              [SUB,     META,          Q,     DL,         UP,       DONE,     PAU,   FAIL,  CAN],
  stale_check:             [SUB,     Q,             Q,     Q,          Q,        DONE,     PAU,   FAIL,  CAN],
  deleted:                 [GONE,    GONE,          GONE,  GONE,       GONE,     GONE,     GONE,  GONE,  GONE],
  active_slot_refused:     [SUB,     META,          Q,     DL,         UP,       DONE,     PAU,   FAIL,  CAN],
}

function effectsOf(effects: Effect[], type: Effect['type']) {
  return effects.filter((e) => e.type === type)
}

describe('the job lifecycle core', () => {
  it('has a row for every change and a column for every status', () => {
    expect([SUB, META, Q, DL, UP, DONE, PAU, FAIL, CAN]).toEqual(JobStatus.options)
    expect(Object.keys(TABLE).sort()).toEqual(Object.keys(CHANGES).sort())
    for (const row of Object.values(TABLE)) expect(row).toHaveLength(JobStatus.options.length)
    const inputs = new Set(Object.values(CHANGES).map((c) => c.input.type))
    expect([...inputs].sort()).toEqual([...LIFECYCLE_INPUT_TYPES].sort())
    const callbacks = Object.values(CHANGES).flatMap((c) =>
      c.input.type === 'agent_callback' ? [c.input.callback.type] : [],
    )
    for (const type of AgentCallback.options.map((o) => o.shape.type.value))
      expect(callbacks).toContain(type)
    const actions = Object.values(CHANGES).flatMap((c) =>
      c.input.type === 'user_action' ? [c.input.action] : [],
    )
    for (const a of JobAction.options) expect(actions).toContain(a)
  })

  for (const [kind, change] of Object.entries(CHANGES) as [
    ChangeKind,
    (typeof CHANGES)[ChangeKind],
  ][]) {
    for (const [column, status] of JobStatus.options.entries()) {
      const expected = TABLE[kind][column]
      it(`leaves a ${status} job ${expected ?? 'forgotten'} on ${kind}`, () => {
        const before = job(status, 'job' in change ? change.job : {})
        const frozen = structuredClone(before)
        const decision = decide(before, change.input, NOW)
        expect(before).toEqual(frozen)
        expect(decision.state?.status ?? null).toBe(expected)
        const statusEvents = effectsOf(decision.effects, 'publish').filter(
          (e) => e.type === 'publish' && e.event.type === 'status',
        )
        const moved = expected !== null && expected !== status
        // `created` announces the status the job was created in, then the move.
        if (moved) expect(statusEvents).toHaveLength(kind === 'created' ? 2 : 1)
        if (moved) expect(effectsOf(decision.effects, 'write')).not.toHaveLength(0)
      })
    }
  }

  it('writes each decision’s D1 changes in one batch, and fills the line after it', () => {
    for (const [kind, change] of Object.entries(CHANGES)) {
      for (const status of JobStatus.options) {
        const s = job(status, 'job' in change ? change.job : {})
        const { effects } = decide(s, change.input as LifecycleInput, NOW + 31_000)
        expect(effectsOf(effects, 'write').length, `${kind} of a ${status} job`).toBeLessThan(2)
        const order = effects.map((e) => e.type)
        if (order.includes('room_freed')) expect(order.at(-1)).toBe('room_freed')
      }
    }
  })

  it('tells the owner an operator cancelled or retried their job, and why', () => {
    const cancelled = decide(job('downloading'), CHANGES.operator_cancel.input, NOW)
    const error = {
      code: 'cancelled_by_operator',
      message: 'Cancelled by an operator: Abuse report.',
    }
    expect(effectsOf(cancelled.effects, 'publish')).toContainEqual(
      expect.objectContaining({
        event: expect.objectContaining({ type: 'status', status: CAN, error }),
      }),
    )
    expect(effectsOf(cancelled.effects, 'write')).toContainEqual(
      expect.objectContaining({
        writes: expect.arrayContaining([expect.objectContaining({ type: 'job_row', error })]),
      }),
    )
    const retried = decide(job('failed'), CHANGES.operator_retry.input, NOW)
    expect(effectsOf(retried.effects, 'publish')).toContainEqual(
      expect.objectContaining({
        event: expect.objectContaining({
          status: Q,
          error: { code: 'retried_by_operator', message: 'Retried by an operator: Agent fixed.' },
        }),
      }),
    )
    const own = decide(job('downloading'), action('cancel'), NOW)
    const ownEvents = effectsOf(own.effects, 'publish').map((e) => e.type === 'publish' && e.event)
    expect(ownEvents).toContainEqual(expect.objectContaining({ type: 'status', status: CAN }))
    expect(ownEvents.some((e) => e && 'error' in e)).toBe(false)
  })

  it('answers for a job it does not know', () => {
    expect(
      decide(null, { type: 'waiting', reason: { code: 'x', message: 'x' } }, NOW).reply,
    ).toEqual({ outcome: 'done' })
    expect(decide(null, CHANGES.dispatched.input, NOW).reply).toBe(false)
    expect(decide(null, callback(progress), NOW).reply).toMatchObject({
      status: 404,
      code: 'not_found',
    })
    expect(decide(null, action('pause'), NOW).reply).toMatchObject({ status: 404 })
    expect(decide(null, { type: 'deleted' }, NOW).effects).toEqual([{ type: 'forget' }])
  })
})

describe('agent callbacks', () => {
  it('answers a callback it has seen already with duplicate_event and changes nothing', () => {
    const s = job('downloading', { lastAgentSeq: 4 })
    const decision = decide(s, callback({ ...progress, seq: 4 }), NOW)
    expect(decision.reply).toMatchObject({ ok: false, status: 409, code: 'duplicate_event' })
    expect(decision.state).toEqual(s)
    expect(decision.effects).toEqual([])
  })

  it('refuses callbacks from an earlier attempt or from another agent', () => {
    const s = job('downloading', { attempt: 2 })
    expect(decide(s, callback(progress), NOW).reply).toMatchObject({ code: 'not_assigned' })
    const other = { ...callback({ ...progress, attempt: 2 }), agentId: 'agent-9' }
    expect(decide(s, other, NOW).reply).toMatchObject({ code: 'not_assigned' })
  })

  it('ends completed whatever order late progress and completion arrive in', () => {
    const s = job('downloading')
    const done = decide(s, callback({ type: 'completed', files: stored, seq: 2 }), NOW).state!
    const late = decide(done, callback({ ...progress, seq: 3 }), NOW + 1)
    expect(late.state).toMatchObject({
      status: 'completed',
      progressPct: 100,
      bytesDownloaded: 1000,
    })
    expect(effectsOf(late.effects, 'publish')).toEqual([])
    const early = decide(s, callback({ ...progress, seq: 1 }), NOW).state!
    expect(decide(early, callback({ ...progress, seq: 1 }), NOW).reply).toMatchObject({
      code: 'duplicate_event',
    })
  })

  it('writes progress to D1 at most every 10 s, and every status change at once', () => {
    const s = job('downloading', { persistedAt: NOW - 1000 })
    expect(effectsOf(decide(s, callback(progress), NOW).effects, 'write')).toEqual([])
    const later = decide(s, callback(progress), s.persistedAt + PERSIST_INTERVAL)
    expect(effectsOf(later.effects, 'write')).toHaveLength(1)
    const failed = decide(
      s,
      callback({ type: 'failed', code: 'x', message: 'x', retryable: false }),
      NOW,
    )
    expect(effectsOf(failed.effects, 'write')).toHaveLength(1)
  })

  it('stops the agent before recording the failure of an over-quota job and hands its followers over', () => {
    const input = CHANGES.metadata_over_quota.input
    const { effects } = decide(job('metadata_fetch'), input, NOW)
    const order = effects.map((e) => e.type)
    expect(order.indexOf('stop_agent')).toBeLessThan(order.indexOf('write'))
    expect(order).toContain('hand_over_followers')
    expect(order).toContain('notify_finished')
  })

  it('fails a job whose metadata lists too many files before writing any file row', () => {
    const { state, effects } = decide(
      job('metadata_fetch'),
      CHANGES.metadata_too_many_files.input,
      NOW,
    )
    expect(state).toMatchObject({ status: 'failed', workerId: null })
    const writes = effectsOf(effects, 'write').flatMap((e) => (e.type === 'write' ? e.writes : []))
    expect(writes.map((w) => w.type)).toEqual(['job_row'])
    expect(effectsOf(effects, 'stop_agent')).toHaveLength(1)
  })
})

describe('the attempt budget', () => {
  const wait: LifecycleInput = {
    type: 'waiting',
    reason: { code: 'agent_error', message: 'Agent agent-1 could not start the job.' },
  }
  const lineUps = (effects: Effect[]) =>
    effects.flatMap((e) => (e.type === 'write' ? e.writes : [])).filter((w) => w.type === 'line_up')

  it('retries agent errors with backoff, keeping the job’s place in line, then fails after five tries', () => {
    let s = job('submitted')
    const delays: unknown[] = []
    for (let tries = 1; tries < 5; tries++) {
      const decision = decide(s, wait, NOW)
      delays.push(decision.reply)
      s = decision.state!
      expect(s).toMatchObject({ status: 'queued', tries })
      const delaySeconds = (decision.reply as { delaySeconds: number }).delaySeconds
      expect(lineUps(decision.effects)).toEqual([
        {
          type: 'line_up',
          jobId: 'job-1',
          notBefore: NOW + delaySeconds * 1000,
          keepPlace: true,
          at: NOW,
        },
      ])
      expect(effectsOf(decision.effects, 'enqueue')).toMatchObject([
        { delaySeconds, keepPlace: true },
      ])
    }
    expect(delays).toEqual([15, 30, 60, 120].map((d) => ({ outcome: 'retry', delaySeconds: d })))
    const last = decide(s, wait, NOW)
    expect(last.reply).toEqual({ outcome: 'gave_up' })
    const statuses = effectsOf(last.effects, 'publish').map((e) => e.type === 'publish' && e.event)
    expect(statuses).toContainEqual(
      expect.objectContaining({
        status: 'failed',
        error: {
          code: 'agent_error',
          message: 'Agent agent-1 could not start the job. Gave up after 5 attempts.',
        },
      }),
    )
  })

  it('spends tries on dispatches and stale agents alike, and fails when they are used up', () => {
    let s = job('queued', { tries: 3 })
    s = decide(s, { type: 'dispatched', agentId: AGENT, attempt: 4 }, NOW).state!
    expect(s.tries).toBe(4)
    const stale = decide(s, { type: 'stale_check' }, NOW + 31_000)
    expect(stale.state?.status).toBe('queued')
    // Lost with its agent, through no fault of its own: it keeps its place in line.
    expect(effectsOf(stale.effects, 'enqueue')).toEqual([
      {
        type: 'enqueue',
        job: { id: 'job-1', user_id: 'user-1', infohash: 'a'.repeat(40) },
        delaySeconds: 0,
        keepPlace: true,
      },
    ])
    s = decide(stale.state!, { type: 'dispatched', agentId: AGENT, attempt: 5 }, NOW).state!
    const again = decide(
      s,
      callback({ type: 'failed', code: 'io', message: 'Disk.', retryable: true, attempt: 5 }),
      NOW,
    )
    expect(again.state?.status).toBe('failed')
    expect(effectsOf(again.effects, 'enqueue')).toEqual([])
  })

  it('gives a job its owner retries a fresh budget', () => {
    const s = job('failed', { tries: 5, attempt: 5 })
    const decision = decide(s, action('retry'), NOW)
    expect(decision.state).toMatchObject({ status: 'queued', tries: 0, attempt: 5 })
    // A retry joins the line at its end.
    expect(effectsOf(decision.effects, 'enqueue')).toMatchObject([{ keepPlace: false }])
    expect(lineUps(decision.effects)).toMatchObject([{ keepPlace: false, notBefore: NOW }])
  })
})

describe('transfer slots', () => {
  const parked = (reason: 'metadata' | 'peers' | 'transfer_slot' | null) =>
    callback({
      ...progress,
      phase: 'metadata_fetch',
      waiting:
        reason === null
          ? null
          : {
              reason,
              since: new Date(NOW - 60_000).toISOString(),
              until: new Date(NOW + 540_000).toISOString(),
            },
    })
  const rowWrites = (effects: Effect[]) =>
    effects.flatMap((e) => (e.type === 'write' ? e.writes : [])).filter((w) => w.type === 'job_row')

  it('frees the slot when the agent parks the job, and writes the row at once', () => {
    const decision = decide(job('metadata_fetch', { persistedAt: NOW }), parked('metadata'), NOW)
    expect(decision.state?.waiting).toMatchObject({ reason: 'metadata' })
    expect(effectsOf(decision.effects, 'room_freed')).toHaveLength(1)
    expect(rowWrites(decision.effects)).toMatchObject([
      { job: { waiting: { reason: 'metadata' } } },
    ])
  })

  it('writes unparking at once and frees nothing; a parked job that ends frees nothing again', () => {
    const s = job('metadata_fetch', {
      persistedAt: NOW,
      waiting: decide(job('metadata_fetch'), parked('peers'), NOW).state!.waiting,
    })
    const unparked = decide(s, parked(null), NOW)
    expect(unparked.state?.waiting).toBeNull()
    expect(effectsOf(unparked.effects, 'room_freed')).toHaveLength(0)
    expect(rowWrites(unparked.effects)).toHaveLength(1)
    const cancelled = decide(s, action('cancel'), NOW)
    expect(cancelled.state).toMatchObject({ status: 'cancelled', waiting: null })
    expect(effectsOf(cancelled.effects, 'room_freed')).toHaveLength(0)
  })

  it('frees the slot of a transfer that ends, pauses or is re-queued, but not a follower’s', () => {
    for (const input of [
      callback({ type: 'completed', files: stored }),
      action('pause'),
      action('cancel'),
    ]) {
      expect(effectsOf(decide(job('downloading'), input, NOW).effects, 'room_freed')).toHaveLength(
        1,
      )
    }
    const stale = decide(job('downloading'), { type: 'stale_check' }, NOW + 31_000)
    expect(effectsOf(stale.effects, 'room_freed')).toHaveLength(1)
    const follower = job('downloading', { leaderId: 'leader-1', workerId: null })
    expect(effectsOf(decide(follower, action('cancel'), NOW).effects, 'room_freed')).toHaveLength(0)
  })

  it('writes a re-queued job’s retry delay before its status, and fills the line last', () => {
    for (const input of [
      callback({ type: 'failed', code: 'io', message: 'Disk.', retryable: true }),
      { type: 'stale_check' } as const,
    ]) {
      const { effects } = decide(job('downloading'), input, NOW + 31_000)
      const writes = effects.flatMap((e) => (e.type === 'write' ? e.writes : []))
      const lineUp = writes.findIndex((w) => w.type === 'line_up')
      const queued = writes.findIndex((w) => w.type === 'job_row' && w.job.status === 'queued')
      // The delay is in D1 before the job is back in line, so no fill finds it there without one.
      expect(lineUp).toBeGreaterThanOrEqual(0)
      expect(lineUp).toBeLessThan(queued)
      expect(effects.map((e) => e.type).indexOf('room_freed')).toBe(effects.length - 1)
    }
  })

  it('moves a parked job off a drained agent back in line, keeping its place', () => {
    const decision = decide(job('metadata_fetch'), CHANGES.move_to_line.input, NOW)
    expect(decision.state).toMatchObject({ status: 'queued', workerId: null })
    expect(effectsOf(decision.effects, 'stop_agent')).toHaveLength(1)
    expect(effectsOf(decision.effects, 'enqueue')).toMatchObject([{ keepPlace: true }])
    // A follower has no agent of its own to leave.
    const follower = job('downloading', { leaderId: 'leader-1', workerId: null })
    expect(decide(follower, CHANGES.move_to_line.input, NOW).effects).toEqual([])
  })
})

describe('user actions', () => {
  it('answers 409 naming the status for an action the status does not allow', () => {
    expect(decide(job('cancelled'), action('resume'), NOW).reply).toEqual({
      ok: false,
      status: 409,
      message: 'A cancelled job cannot be resumed.',
    })
    expect(decide(job('metadata_fetch'), action('retry'), NOW).reply).toMatchObject({
      message: 'A metadata fetch job cannot be retried.',
    })
  })

  it('takes a choice of files only while the job waits for one, then records it', () => {
    expect(decide(job('paused'), action('resume', [1]), NOW).reply).toMatchObject({ status: 409 })
    const waiting = job('paused', { awaitingFiles: true, workerId: null })
    const input = {
      ...action('resume', [1]),
      files: [
        { index: 0, size: 600 },
        { index: 1, size: 400 },
      ],
    }
    const decision = decide(waiting, input, NOW)
    expect(decision.state).toMatchObject({
      status: 'queued',
      awaitingFiles: false,
      selectedFiles: [1],
      bytesTotal: 400,
    })
    // The choice is written first, in the batch that puts the job back in line.
    expect(decision.effects[0]).toMatchObject({
      type: 'write',
      writes: [
        { type: 'file_choice', jobId: 'job-1', selectedFiles: [1], chosen: [1], bytesTotal: 400 },
        { type: 'job_row' },
        { type: 'line_up' },
      ],
    })
  })

  it('asks a paused job’s agent to resume and resumes by the queue when it cannot', () => {
    const asked = decide(job('paused'), action('resume'), NOW)
    expect(asked.effects).toEqual([
      { type: 'resume_agent', jobId: 'job-1', agentId: AGENT, selectedFiles: undefined, files: [] },
    ])
    const refused = decide(asked.state, { type: 'agent_resumed', ok: false, files: [] }, NOW)
    expect(refused.state?.status).toBe('queued')
    expect(effectsOf(refused.effects, 'enqueue')).toHaveLength(1)
  })

  it('stops following a leader when resumed by the queue', () => {
    const s = job('paused', { leaderId: 'leader-1', workerId: null })
    const decision = decide(s, action('resume'), NOW)
    expect(decision.state?.leaderId).toBeNull()
    expect(decision.effects[0]).toMatchObject({
      type: 'write',
      writes: [{ type: 'unfollow', jobId: 'job-1' }, { type: 'job_row' }, { type: 'line_up' }],
    })
  })
})

describe('the active-jobs limit', () => {
  it('makes every resume and retry that is allowed hold only with an active slot, and nothing else', () => {
    for (const [kind, change] of Object.entries(CHANGES)) {
      for (const status of JobStatus.options) {
        const s = job(status, 'job' in change ? change.job : {})
        const decision = decide(s, change.input, NOW)
        const input = change.input as LifecycleInput
        const activating =
          input.type === 'user_action' &&
          (input.action === 'resume' || input.action === 'retry') &&
          (decision.reply as { ok: boolean }).ok
        expect(decision.activates, `${kind} of a ${status} job`).toEqual(
          activating
            ? {
                jobId: 'job-1',
                userId: 'user-1',
                status: expect.any(String),
                followsJobId: decision.state?.leaderId ?? null,
              }
            : undefined,
        )
      }
    }
    expect(decide(job('paused'), action('resume'), NOW).activates).toBeDefined()
    expect(decide(job('failed'), action('retry'), NOW).activates).toBeDefined()
  })

  it('claims the slot with the row the decision leaves, never in line unless it goes in line', () => {
    const claimed = (s: JobProgressState, input: LifecycleInput) => {
      const { activates } = decide(s, input, NOW)
      return activates && { status: activates.status, followsJobId: activates.followsJobId }
    }
    // Its copy resumes on its agent: a fill before the agent answers must not start it afresh.
    expect(claimed(job('paused'), action('resume'))).toEqual({
      status: 'downloading',
      followsJobId: null,
    })
    expect(claimed(job('paused', { bytesTotal: 0 }), action('resume'))).toEqual({
      status: 'metadata_fetch',
      followsJobId: null,
    })
    expect(claimed(job('paused'), riding('resume', inFlight({ status: 'queued' }, 50)))).toEqual({
      status: 'downloading',
      followsJobId: null,
    })
    expect(claimed(job('failed', { workerId: null }), riding('retry'))).toEqual({
      status: 'downloading',
      followsJobId: 'leader-1',
    })
    expect(claimed(job('paused', { workerId: null }), action('resume'))).toEqual({
      status: 'queued',
      followsJobId: null,
    })
  })

  it('answers a refused slot with 422 quota_exceeded naming the limit, and changes nothing', () => {
    const s = job('paused')
    const decision = decide(s, CHANGES.active_slot_refused.input, NOW)
    expect(decision.reply).toEqual({
      ok: false,
      status: 422,
      code: 'quota_exceeded',
      limit: 'active_jobs',
      message: 'No slot.',
    })
    expect(decision.state).toEqual(s)
    expect(decision.effects).toEqual([])
    expect(decision.activates).toBeUndefined()
  })
})

describe('followers', () => {
  it('mirrors progress and status to followers, but not pauses, cancels or plain re-queues', () => {
    const mirrored = (s: JobProgressState, input: LifecycleInput) =>
      effectsOf(decide(s, input, NOW).effects, 'mirror_to_followers')
    expect(mirrored(job('downloading'), callback(progress))).toHaveLength(1)
    expect(mirrored(job('downloading'), action('pause'))).toEqual([])
    expect(mirrored(job('downloading'), action('cancel'))).toEqual([])
    expect(mirrored(job('paused', { workerId: null }), action('resume'))).toEqual([])
    expect(mirrored(job('downloading', { leaderId: 'leader-1' }), callback(progress))).toEqual([])
  })

  it('hands followers over when the leader pauses, but not when a follower pauses', () => {
    const handedOver = (s: JobProgressState) =>
      effectsOf(decide(s, action('pause'), NOW).effects, 'hand_over_followers')
    expect(handedOver(job('downloading'))).toEqual([
      { type: 'hand_over_followers', jobId: 'job-1' },
    ])
    expect(handedOver(job('queued'))).toHaveLength(1)
    expect(handedOver(job('downloading', { leaderId: 'leader-1' }))).toEqual([])
  })

  it('rides a resumed job on a download of the same content further along, dropping its own copy', () => {
    const s = job('paused', { fileBytes: { 0: 100 } })
    const { state, effects } = decide(s, riding('resume'), NOW)
    expect(state).toMatchObject({
      status: 'downloading',
      leaderId: 'leader-1',
      workerId: null,
      bytesDownloaded: 700,
      fileBytes: { 0: 600, 1: 100 },
    })
    expect(effectsOf(effects, 'stop_agent')).toEqual([
      { type: 'stop_agent', jobId: 'job-1', agentId: AGENT, removeData: true },
    ])
    expect(effectsOf(effects, 'resume_agent')).toEqual([])
    expect(effectsOf(effects, 'enqueue')).toEqual([])
    // The row names the leader in the same write as the status; the leader then mirrors to it.
    const rows = effects.flatMap((e) => (e.type === 'write' ? e.writes : []))
    expect(rows).toContainEqual(
      expect.objectContaining({
        type: 'job_row',
        job: expect.objectContaining({ leaderId: 'leader-1', workerId: null }),
      }),
    )
    expect(effects.at(-1)).toEqual({ type: 'following', leaderId: 'leader-1' })
  })

  it('takes the other download over when its own copy is further along, before resuming it', () => {
    const behind = inFlight({ status: 'queued' }, 700)
    const { effects } = decide(job('paused'), riding('resume', behind), NOW)
    // The other copy is stopped first: both may be on one agent, which holds one per content.
    expect(effects.map((e) => e.type)).toEqual(['take_over', 'resume_agent'])
    expect(effects[0]).toEqual({ type: 'take_over', from: 'leader-1', status: 'downloading' })
    expect(effects[1]).toMatchObject({ agentId: AGENT })
    // A failed resume then puts the job in line, the other riding on it.
    const refused = decide(job('paused'), { type: 'agent_resumed', ok: false, files: [] }, NOW)
    expect(refused.state).toMatchObject({ status: 'queued', leaderId: null })
    // Not a download wanting files this one does not bring: it goes on beside it.
    const wider = inFlight({ status: 'queued', coveredByMe: false }, 700)
    const alone = decide(job('paused'), riding('resume', wider), NOW)
    expect(alone.effects.map((e) => e.type)).toEqual(['resume_agent'])
  })

  it('rides a resumed or retried job without a copy on the download in flight, not in line', () => {
    for (const [status, a] of [
      ['paused', 'resume'],
      ['failed', 'retry'],
    ] as const) {
      const { state, effects } = decide(job(status, { workerId: null, tries: 5 }), riding(a), NOW)
      expect(state).toMatchObject({ status: 'downloading', leaderId: 'leader-1' })
      expect(effectsOf(effects, 'enqueue')).toEqual([])
      expect(effectsOf(effects, 'stop_agent')).toEqual([])
      expect(effectsOf(effects, 'following')).toHaveLength(1)
    }
    // A download that lacks some of the job's files is no ride: the job goes in line.
    const partial = decide(
      job('paused', { workerId: null }),
      riding('resume', inFlight({ coversMe: false })),
      NOW,
    )
    expect(partial.state).toMatchObject({ status: 'queued', leaderId: null })
  })

  it('takes the leader’s file list when it has none yet', () => {
    const metadata = { name: 'demo', files }
    const { state, effects } = decide(
      job('paused', { workerId: null, bytesTotal: 0, bytesDownloaded: 0 }),
      riding('resume', inFlight({ metadata })),
      NOW,
    )
    expect(state?.bytesTotal).toBe(1000)
    const writes = effects.flatMap((e) => (e.type === 'write' ? e.writes : []))
    expect(writes).toContainEqual(expect.objectContaining({ type: 'job_metadata', files }))
  })

  it('stops a taken-over download and frees its slot; refuses once it stopped or is uploading', () => {
    const leader = inFlight({ status: 'downloading' }, 900)
    const { state, effects, reply } = decide(job('downloading'), { type: 'follow', leader }, NOW)
    expect(reply).toBe(true)
    expect(state).toMatchObject({ leaderId: 'leader-1', workerId: null, bytesDownloaded: 900 })
    expect(effectsOf(effects, 'stop_agent')).toHaveLength(1)
    expect(effectsOf(effects, 'room_freed')).toHaveLength(1)
    expect(effectsOf(effects, 'mirror_to_followers')).toEqual([])
    for (const status of ['paused', 'uploading', 'completed'] as const)
      expect(decide(job(status), { type: 'follow', leader }, NOW).reply).toBe(false)
  })

  it('never stops the agent of the leader a follower rides on', () => {
    const s = job('downloading', { leaderId: 'leader-1' })
    const { effects } = decide(s, action('cancel'), NOW)
    expect(effectsOf(effects, 'stop_agent')).toEqual([])
    expect(effectsOf(effects, 'hand_over_followers')).toEqual([])
  })
})
