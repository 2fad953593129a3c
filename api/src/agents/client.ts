import {
  type AgentRequestArgs,
  type AgentResponse,
  type AgentServedEntry,
  deriveAgentSecret,
  readAnswer,
  signedRequest,
} from '@tseeder/shared'
import type { AgentRow } from '../db/agents.ts'
import { agentCallProblem } from '../lib/config.ts'
import { log } from '../lib/log.ts'

export class AgentCallError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message)
  }
}

const AGENT_TIMEOUT_MS = 10_000

/**
 * A signed call from the API to an agent, built from an entry of the shared agent protocol
 * (signed with the api→agent key derived from that agent's secret); the agent's answer is validated against
 * the entry's response schema. In production the request also goes through the `AGENT_MTLS`
 * certificate binding when present, so the agent can require the API's client certificate.
 *
 * @example
 * await callAgent(env, agent, agentProtocol.stop, { jobId, removeData: true })
 */
export async function callAgent<E extends AgentServedEntry>(
  env: Env,
  agent: Pick<AgentRow, 'id' | 'url'>,
  endpoint: E,
  ...[input]: AgentRequestArgs<E>
): Promise<AgentResponse<E>> {
  const refused = agentCallProblem(env, agent)
  if (refused) {
    log.error('agent_call_refused', { agentId: agent.id, path: endpoint.path, code: refused.code })
    throw new AgentCallError(`Call to agent ${agent.id} refused: ${refused.message}`, null)
  }
  const request = await signedRequest(endpoint, input as never, {
    baseUrl: agent.url,
    signer: 'api',
    secret: await deriveAgentSecret(env.AGENT_SIGNING_KEY, agent.id),
    signal: AbortSignal.timeout(AGENT_TIMEOUT_MS),
  })
  const fetcher: { fetch: typeof fetch } = env.AGENT_MTLS ?? globalThis
  let response: Response
  try {
    response = await fetcher.fetch(request)
  } catch (error) {
    throw new AgentCallError(`Agent ${agent.id} is unreachable: ${String(error)}`, null)
  }
  if (!response.ok) {
    await response.body?.cancel()
    throw new AgentCallError(
      `Agent ${agent.id} answered ${response.status} to ${endpoint.path}`,
      response.status,
    )
  }
  try {
    return await readAnswer(endpoint, response)
  } catch (error) {
    throw new AgentCallError(
      `Agent ${agent.id} answered ${endpoint.path} off the protocol: ${String(error)}`,
      response.status,
    )
  }
}
