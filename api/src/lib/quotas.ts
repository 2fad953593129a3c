import { formatBytes, type Plan, type QuotaLimit, type Usage } from '@tseeder/shared'
import { HttpError } from '../lib/errors.ts'

export interface QuotaProblem {
  limit: QuotaLimit
  message: string
}

/**
 * What, if anything, stops `files` from fitting the plan: the largest file against the plan's
 * max file size, then their total against the storage left.
 */
export function storageProblem(
  plan: Plan,
  usage: Usage,
  files: readonly { path: string; size: number }[],
): QuotaProblem | null {
  if (plan.maxFileBytes !== null) {
    const tooBig = files.find((f) => f.size > plan.maxFileBytes!)
    if (tooBig) {
      return {
        limit: 'max_file_size',
        message: `"${tooBig.path}" is ${formatBytes(tooBig.size)}; the ${plan.name} plan allows files up to ${formatBytes(plan.maxFileBytes)}.`,
      }
    }
  }
  if (plan.storageBytes !== null) {
    const total = files.reduce((sum, f) => sum + f.size, 0)
    const left = Math.max(0, plan.storageBytes - usage.storageBytes)
    if (total > left) {
      return {
        limit: 'storage',
        message: `This needs ${formatBytes(total)} but you have ${formatBytes(left)} of storage left on the ${plan.name} plan.`,
      }
    }
  }
  return null
}

/**
 * What a user reads when their plan has no room for another active job: its transfers and its
 * waiting jobs are all taken (the check itself is one atomic statement in `db/active-jobs.ts`,
 * made wherever a job becomes active).
 */
export function activeJobsLimitReached(plan: Plan): QuotaProblem {
  const total = (plan.maxActiveJobs ?? 0) + (plan.maxQueuedJobs ?? 0)
  return {
    limit: 'active_jobs',
    message: `The ${plan.name} plan runs ${plan.maxActiveJobs} ${plan.maxActiveJobs === 1 ? 'job' : 'jobs'} at a time and keeps up to ${plan.maxQueuedJobs} more waiting; all ${total} are taken. Wait for one to finish, or pause or cancel one.`,
  }
}

/** The monthly bandwidth is used up (the check itself is the atomic metering UPDATE in /dl/). */
export function bandwidthExhausted(plan: Plan): QuotaProblem {
  return {
    limit: 'bandwidth',
    message: `This month's download allowance of ${formatBytes(plan.bandwidthBytesPerMonth ?? 0)} on the ${plan.name} plan is used up.`,
  }
}

export function quotaError(problem: QuotaProblem): HttpError {
  return new HttpError(422, 'quota_exceeded', problem.message, { limit: problem.limit })
}
