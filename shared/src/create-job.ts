import type { CallInit, Client, EndpointInput } from './client-core.ts'
import type { Endpoints } from './endpoints.ts'
import type { Job } from './schemas/job.ts'

/** A job `createJob` answered, and whether it is new or one the user already had. */
export interface CreatedJob {
  job: Job
  /** False when the user already had a job for this torrent (the API answered 200, not 201). */
  created: boolean
}

/**
 * `createJob`, telling a new job from one already in the user's list, so a client can say
 * "Already in your list" instead of "Sent".
 *
 * @example
 * const { job, created } = await createJobTelling(api, { body: { magnet } })
 */
export async function createJobTelling(
  api: Pick<Client, 'createJob'>,
  input: EndpointInput<Endpoints['createJob']>,
  init: CallInit = {},
): Promise<CreatedJob> {
  let status = 0
  const job = await api.createJob(input, {
    ...init,
    onStatus: (answered) => {
      status = answered
      init.onStatus?.(answered)
    },
  })
  return { job, created: status !== 200 }
}
