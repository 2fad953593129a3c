import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { JOB_STATUSES, PARKED_REASONS } from '@tseeder/shared'
import { signUp } from '../../test/helpers.ts'
import { jobRow, magnetFor, randomInfohash } from '../../test/pipeline.ts'
import { IS_TRANSFER } from '../db/dispatch-line.ts'
import { type JobRow, updateJobLifecycle } from '../db/jobs.ts'
import { holdsTransferSlot } from './job-draft.ts'
import { stateFromRow } from './job-facts.ts'

// The rule is written twice: in TypeScript for the job's object (`holdsTransferSlot`, which
// frees a slot when it stops holding one) and in SQL for the line (`IS_TRANSFER`, which counts
// slots). Every state the object can write must read back the same from both.
describe('a transfer slot', () => {
  it('is held by the same jobs in the job object and in the dispatch line', async () => {
    const user = await signUp()
    const job = await user.api.createJob({ body: { magnet: magnetFor(randomInfohash()) } })
    const row = (await jobRow(job.id)) as unknown as JobRow
    const since = new Date().toISOString()
    const waits = [null, ...PARKED_REASONS.map((reason) => ({ reason, since, until: null }))]
    let checked = 0
    for (const status of JOB_STATUSES) {
      for (const leaderId of [null, job.id]) {
        for (const waiting of waits) {
          const state = { ...stateFromRow(row, 0), status, leaderId, waiting }
          await updateJobLifecycle(env.DB, state, undefined, Date.now()).run()
          const counted = await env.DB.prepare(
            `SELECT COUNT(*) AS n FROM jobs j WHERE j.id = ? AND ${IS_TRANSFER}`,
          )
            .bind(job.id)
            .first<{ n: number }>()
          expect(counted!.n === 1, `${status}, leader ${leaderId}, ${waiting?.reason}`).toBe(
            holdsTransferSlot(state),
          )
          checked++
        }
      }
    }
    expect(checked).toBe(JOB_STATUSES.length * 2 * 4)
  })
})
