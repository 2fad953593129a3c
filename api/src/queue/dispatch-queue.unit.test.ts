import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { MAX_ATTEMPTS } from './dispatch-queue.ts'

describe('the dispatch queue', () => {
  it('delivers a message as many times as a job has tries, so a job that gives up is dead-lettered', () => {
    const toml = readFileSync(path.resolve(import.meta.dirname, '../../../wrangler.toml'), 'utf8')
    const consumer = /\[\[queues\.consumers\]\]\s*queue = "tseeder-jobs"[^[]*/.exec(toml)?.[0] ?? ''
    const maxRetries = Number(/max_retries = (\d+)/.exec(consumer)?.[1])
    expect(1 + maxRetries).toBe(MAX_ATTEMPTS)
  })
})
