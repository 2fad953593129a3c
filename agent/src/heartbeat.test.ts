import { PassThrough } from 'node:stream'
import type { AgentHeartbeat } from '@tseeder/shared'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ApiClient } from './api-client.ts'
import { NUDGE_DELAY_MS, startHeartbeat } from './heartbeat.ts'
import { createLogger } from './log.ts'

const beat: AgentHeartbeat = {
  agentId: 'agent-1',
  url: 'http://127.0.0.1:1/',
  capacity: 1,
  activeJobs: 0,
  transfers: 0,
  parkedJobs: 0,
  idleCapacity: 32,
  freeDiskBytes: 1,
  version: '0.1.0',
}

let sent: number
let stop: () => void

function start() {
  const api = { call: async () => void sent++ } as unknown as ApiClient
  const heartbeat = startHeartbeat({
    api,
    log: createLogger('warn', new PassThrough()),
    intervalMs: 60_000,
    snapshot: async () => beat,
  })
  stop = heartbeat.stop
  return heartbeat
}

beforeEach(() => {
  vi.useFakeTimers()
  sent = 0
})

afterEach(() => {
  stop?.()
  vi.useRealTimers()
})

describe('startHeartbeat', () => {
  it('sends one heartbeat soon for a burst of nudges, long before the interval', async () => {
    const heartbeat = start()
    await vi.advanceTimersByTimeAsync(0)
    expect(sent).toBe(1)
    heartbeat.nudge()
    heartbeat.nudge()
    heartbeat.nudge()
    await vi.advanceTimersByTimeAsync(NUDGE_DELAY_MS)
    expect(sent).toBe(2)
    heartbeat.nudge()
    await vi.advanceTimersByTimeAsync(NUDGE_DELAY_MS)
    expect(sent).toBe(3)
  })

  it('sends nothing for a nudge once stopped', async () => {
    const heartbeat = start()
    await vi.advanceTimersByTimeAsync(0)
    heartbeat.nudge()
    heartbeat.stop()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(sent).toBe(1)
  })
})
