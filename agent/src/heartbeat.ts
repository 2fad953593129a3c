import { type AgentHeartbeat, agentProtocol } from '@tseeder/shared'
import { ApiError, type ApiClient } from './api-client.ts'
import type { Logger } from './log.ts'

/** Posts the agent's heartbeat every `intervalMs` (and once straight away); failures are logged. */
export function startHeartbeat(options: {
  api: ApiClient
  log: Logger
  intervalMs: number
  snapshot: () => Promise<AgentHeartbeat>
}): () => void {
  const { api, log, intervalMs, snapshot } = options
  const beat = async () => {
    try {
      await api.call(agentProtocol.heartbeat, await snapshot())
    } catch (error) {
      if (error instanceof ApiError) log.warn({ status: error.status }, 'heartbeat refused')
      else log.warn({ err: (error as Error).message }, 'heartbeat failed')
    }
  }
  void beat()
  const timer = setInterval(() => void beat(), intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
