import { describe, expect, it } from 'vitest'
import { AgentCallback, type JobProgressState } from '@tseeder/shared'
import type { Effect, LifecycleInput } from './job-intents.ts'
import { decide } from './job-lifecycle.ts'

const NOW = Date.parse('2026-01-01T00:00:00Z')

const downloading: JobProgressState = {
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
  status: 'downloading',
  selectedFiles: null,
  awaitingFiles: false,
  storedBytes: 0,
  lastHeartbeat: NOW - 1000,
  workerId: 'agent-1',
  attempt: 1,
  tries: 1,
  lastAgentSeq: 0,
  seq: 3,
  persistedAt: NOW - 1000,
  leaderId: null,
}

const report = (seq: number, fileBytes?: Record<string, number>): LifecycleInput => ({
  type: 'agent_callback',
  agentId: 'agent-1',
  callback: AgentCallback.parse({
    jobId: 'job-1',
    seq,
    attempt: 1,
    type: 'progress_update',
    phase: 'downloading',
    progressPct: 20 + seq,
    bytesDownloaded: 200,
    bytesTotal: 1000,
    downloadSpeed: 10,
    uploadSpeed: 1,
    eta: 50,
    peers: 3,
    seeds: 2,
    ...(fileBytes ? { fileBytes } : {}),
  }),
  checks: { quotaProblem: null, blockedReason: null },
})

const progressEvents = (effects: Effect[]) =>
  effects.flatMap((e) => (e.type === 'publish' && e.event.type === 'progress' ? [e.event] : []))

describe('per-file bytes in the job’s core', () => {
  it('keeps every file’s count while each report and event carries only the changed files', () => {
    const first = decide(downloading, report(1, { 0: 300, 1: 0 }), NOW)
    const second = decide(first.state!, report(2, { 1: 100 }), NOW + 2000)
    const quiet = decide(second.state!, report(3), NOW + 4000)
    expect(quiet.state?.fileBytes).toEqual({ 0: 300, 1: 100 })
    expect(progressEvents(second.effects).map((e) => e.fileBytes)).toEqual([{ 1: 100 }])
    expect(progressEvents(quiet.effects)[0]).not.toHaveProperty('fileBytes')
  })

  it('mirrors only the changed files to followers, who keep their own count', () => {
    const { effects } = decide(downloading, report(1, { 0: 300 }), NOW)
    const mirror = effects.find((e) => e.type === 'mirror_to_followers')
    expect(mirror).toMatchObject({ change: { progress: { fileBytes: { 0: 300 } } } })
    const follower = { ...downloading, jobId: 'job-2', leaderId: 'job-1', fileBytes: { 1: 50 } }
    const mirrored = decide(follower, { type: 'mirror', change: (mirror as never)['change'] }, NOW)
    expect(mirrored.state?.fileBytes).toEqual({ 0: 300, 1: 50 })
  })
})
