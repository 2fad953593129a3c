import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { dataPointOf, METRIC_KINDS } from './points.ts'

describe('metric points', () => {
  it('are laid out with the kind as index and first blob, labels next, values as doubles', () => {
    expect(
      dataPointOf({ kind: 'queue_wait', jobId: 'job-1', agentId: 'agent-1', attempt: 2, ms: 1500 }),
    ).toEqual({ indexes: ['queue_wait'], blobs: ['queue_wait', 'agent-1'], doubles: [1500, 2] })
  })

  it('are each documented in OBSERVABILITY.md, and nothing else is', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../OBSERVABILITY.md'), 'utf8')
    const section = doc.slice(
      doc.indexOf('## Worker metrics'),
      doc.indexOf('### Running the queries'),
    )
    const documented = [...section.matchAll(/^\| `([a-z_]+)` +\|/gm)].map((m) => m[1])
    expect(documented.sort()).toEqual([...METRIC_KINDS].sort())
  })
})
