import { Hono } from 'hono'
import {
  type ApiServedEntry,
  agentProtocol,
  INTERNAL_PREFIX,
  isActiveStatus,
  sanitizeTorrentPaths,
} from '@tseeder/shared'
import type { z } from 'zod'
import type { AppContext, AppEnv } from '../env.ts'
import { recordHeartbeat } from '../db/agents.ts'
import { listParkedJobIds } from '../db/line-stats.ts'
import { getJobRow } from '../db/jobs.ts'
import { jobProgress } from '../durable/job-progress.ts'
import { moveOffDrainingAgent } from '../jobs/drain.ts'
import { fillLine } from '../queue/dispatch-queue.ts'
import { verifyAgentSignature } from '../middleware/agent-signature.ts'
import { limitBody, MAX_AGENT_BODY_BYTES } from '../middleware/body-limit.ts'
import { HttpError, validationError } from '../lib/errors.ts'
import { mintStorageGrant } from '../storage/grants.ts'

/** What agents call: every request signed with the agent's secret (see ARCHITECTURE.md). */
export const internalRoutes = new Hono<AppEnv>()

// The signature covers the whole body, so it is read before it can be checked: count it first.
internalRoutes.use(`${INTERNAL_PREFIX}/*`, limitBody(MAX_AGENT_BODY_BYTES), verifyAgentSignature)

function signedBody<S extends z.ZodType>(c: AppContext, schema: S): z.output<S> {
  let json: unknown
  try {
    json = JSON.parse(c.get('agent').body)
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON.')
  }
  const result = schema.safeParse(json)
  if (!result.success) throw validationError(result.error, 'body')
  return result.data
}

/**
 * Registers the handler of a `server: 'api'` entry of the agent protocol: the entry gives the
 * method and path, the signed body is validated against its schema and the answer is parsed with
 * its response schema before it is sent.
 */
function internalRoute<E extends ApiServedEntry>(
  entry: E,
  handler: (
    c: AppContext,
    body: z.output<NoInfer<E>['body']>,
  ) => Promise<z.input<NoInfer<E>['response']>>,
): void {
  internalRoutes.on(entry.method, entry.path, async (c) =>
    c.json(entry.response.parse(await handler(c, signedBody(c, entry.body) as never)) as object),
  )
}

const acknowledged = { ok: true } as const

internalRoute(agentProtocol.heartbeat, async (c, beat) => {
  const agent = c.get('agent')
  if (beat.agentId !== agent.id)
    throw new HttpError(403, 'forbidden', 'An agent can only report for itself.')
  const recorded = await recordHeartbeat(c.env.DB, beat, agent.signedAt)
  if (!recorded) {
    throw new HttpError(409, 'replayed', 'This heartbeat is older than one already received.')
  }
  // A new agent, or one with a free transfer slot, drains the line at once; a draining one sends
  // back what parked on it since (a transfer whose peers went away).
  if (recorded.draining && beat.parkedJobs > 0)
    await moveOffDrainingAgent(c.env, await listParkedJobIds(c.env.DB, agent.id))
  else if ((beat.transfers ?? beat.activeJobs) < beat.capacity) await fillLine(c.env)
  return acknowledged
})

internalRoute(agentProtocol.callback, async (c, callback) => {
  const agent = c.get('agent')
  if (callback.type === 'metadata_ready' || callback.type === 'completed') {
    // Names from torrent metadata are hostile at every hop: clean them again here.
    const paths = sanitizeTorrentPaths(callback.files.map((f) => f.path.split('/')))
    callback.files.forEach((file, i) => (file.path = paths[i]!))
  }
  const result = await jobProgress(c.env, callback.jobId).agentCallback(
    callback.jobId,
    agent.id,
    callback,
  )
  if (!result.ok) throw new HttpError(result.status, result.code, result.message)
  return acknowledged
})

internalRoute(agentProtocol.credentials, async (c, { jobId }) => {
  const agent = c.get('agent')
  const job = await getJobRow(c.env.DB, jobId)
  if (!job || job.agent_id !== agent.id || !isActiveStatus(job.status)) {
    throw new HttpError(403, 'forbidden', 'This job is not assigned to this agent.')
  }
  return mintStorageGrant(c.env, job.infohash)
})
