import { rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AgentCallback } from '@tseeder/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempDir } from '@tseeder/testkit/wait'
import type { ApiClient } from './api-client.ts'
import { writeFileAtomic } from './fs-atomic.ts'
import { createLogger } from './log.ts'
import { Reporter } from './reporter.ts'

const modeOf = async (path: string) => (await stat(path)).mode & 0o777

let dir: string
beforeEach(async () => {
  dir = await tempDir('fs-atomic')
})
afterEach(() => rm(dir, { recursive: true, force: true }))

describe('files the agent writes', () => {
  it('are readable by the agent user only, also when they replace a file anyone could read', async () => {
    const path = join(dir, 'record.json')
    await writeFile(path, 'old', { mode: 0o644 })
    await writeFileAtomic(path, 'new')
    expect(await modeOf(path)).toBe(0o600)
  })

  it('include outbox callbacks, in a folder only the agent user can open', async () => {
    const reporter = new Reporter({
      dataDir: dir,
      // The API never answers: the callback stays in the outbox.
      api: { send: () => new Promise(() => {}) } as unknown as ApiClient,
      log: createLogger('silent'),
      maxBackoffMs: 1000,
    })
    await reporter.init()
    const callback: AgentCallback = {
      type: 'failed',
      jobId: 'job-1',
      seq: 1,
      attempt: 1,
      code: 'stalled',
      message: 'No data arrived.',
      retryable: true,
    }
    await reporter.enqueue(callback)
    reporter.stop()
    expect(await modeOf(join(dir, 'outbox'))).toBe(0o700)
    expect(await modeOf(join(dir, 'outbox', `${'1'.padStart(16, '0')}.json`))).toBe(0o600)
  })
})
