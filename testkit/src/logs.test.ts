import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tidyLogs, wranglerLogDir } from './logs.ts'

describe('tidyLogs', () => {
  it('rotates a log grown past the limit, keeps smaller ones, and only the newest wrangler logs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tseeder-logs-'))
    writeFileSync(join(dir, 'worker.log'), 'x'.repeat(2000))
    writeFileSync(join(dir, 'worker.log.1'), 'older')
    writeFileSync(join(dir, 'agent-1.log'), 'small')
    const wrangler = wranglerLogDir(dir)
    mkdirSync(wrangler)
    const now = Date.now() / 1000
    for (let i = 0; i < 7; i++) {
      const file = join(wrangler, `wrangler-${i}.log`)
      writeFileSync(file, `${i}`)
      utimesSync(file, now - 100 + i, now - 100 + i)
    }

    tidyLogs(dir, { maxBytes: 1000, keep: 3 })

    expect(readdirSync(dir).sort()).toEqual(['agent-1.log', 'worker.log.1', 'wrangler'])
    expect(readFileSync(join(dir, 'worker.log.1'), 'utf8')).toHaveLength(2000)
    expect(readdirSync(wrangler).sort()).toEqual([
      'wrangler-4.log',
      'wrangler-5.log',
      'wrangler-6.log',
    ])
    // A first start has no logs yet.
    expect(() => tidyLogs(join(dir, 'none'))).not.toThrow()
  })
})
