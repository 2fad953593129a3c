import { deriveAgentSecret, signedHeaders } from '@tseeder/shared'
import type { AgentRow } from './registry.ts'

export class AgentCallError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message)
  }
}

const AGENT_TIMEOUT_MS = 10_000

/** `path` under the agent's base URL, keeping any path prefix the base has (a reverse proxy). */
export function agentUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`
}

/**
 * A signed call from the API to an agent (HMAC over timestamp + body with that agent's secret).
 * In production the request also goes through the `AGENT_MTLS` certificate binding when present,
 * so the agent can require the API's client certificate.
 */
export async function callAgent(
  env: Env,
  agent: Pick<AgentRow, 'id' | 'url'>,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const text = body === undefined ? '' : JSON.stringify(body)
  const secret = await deriveAgentSecret(env.AGENT_SIGNING_KEY, agent.id)
  const headers = {
    ...(await signedHeaders('api', secret, text)),
    'content-type': 'application/json',
  }
  const fetcher: { fetch: typeof fetch } = env.AGENT_MTLS ?? globalThis
  let response: Response
  try {
    response = await fetcher.fetch(agentUrl(agent.url, path), {
      method,
      headers,
      body: method === 'GET' ? undefined : text,
      signal: AbortSignal.timeout(AGENT_TIMEOUT_MS),
    })
  } catch (error) {
    throw new AgentCallError(`Agent ${agent.id} is unreachable: ${String(error)}`, null)
  }
  const answer: unknown = await response.json().catch(() => null)
  if (!response.ok) {
    throw new AgentCallError(
      `Agent ${agent.id} answered ${response.status} to ${path}`,
      response.status,
    )
  }
  return answer
}
