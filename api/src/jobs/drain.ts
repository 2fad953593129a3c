import type { JobError } from '@tseeder/shared'
import { jobProgress } from '../durable/job-progress.ts'

const AGENT_DRAINING: JobError = {
  code: 'agent_draining',
  message: 'The agent it waited on is being drained; it is back in line.',
}

/**
 * Parked torrents of a draining agent (`db/line-stats.ts`, `listParkedJobIds`) move no bytes
 * there: each goes back in line, at its place, for another agent. Its transfers finish where
 * they are.
 */
export async function moveOffDrainingAgent(env: Env, parkedJobIds: string[]): Promise<void> {
  for (const jobId of parkedJobIds) await jobProgress(env, jobId).moveToLine(jobId, AGENT_DRAINING)
}
