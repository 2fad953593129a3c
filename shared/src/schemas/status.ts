import { z } from 'zod'
import { JOB_ACTIONS, JOB_STATUSES } from '../lifecycle.ts'

/** A job's status (the lifecycle's moves are in lifecycle.ts). */
export const JobStatus = z.enum(JOB_STATUSES)
export type JobStatus = z.infer<typeof JobStatus>

/** What a job's owner can ask of it (deleting is always possible and is not a lifecycle move). */
export const JobAction = z.enum(JOB_ACTIONS)
export type JobAction = z.infer<typeof JobAction>
