import type { AgentHeartbeat } from '@tseeder/shared'
import type { ApiClient } from './api-client.ts'
import type { Logger } from './log.ts'

export const HEARTBEAT_PATH = '/internal/agents/heartbeat'

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
      const response = await api.post(HEARTBEAT_PATH, await snapshot())
      await response.body?.cancel()
      if (!response.ok) log.warn({ status: response.status }, 'heartbeat refused')
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'heartbeat failed')
    }
  }
  void beat()
  const timer = setInterval(() => void beat(), intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
