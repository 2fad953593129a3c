import { type AgentHeartbeat, agentProtocol } from '@tseeder/shared'
import { ApiError, type ApiClient } from './api-client.ts'
import type { Logger } from './log.ts'

/** How long a nudged heartbeat waits, so a burst of freed slots is told in one beat. */
export const NUDGE_DELAY_MS = 200

export interface Heartbeat {
  /** Sends a heartbeat soon (once for a burst of calls), e.g. when a transfer slot frees. */
  nudge(): void
  stop(): void
}

/** Posts the agent's heartbeat every `intervalMs` (and once straight away); failures are logged. */
export function startHeartbeat(options: {
  api: ApiClient
  log: Logger
  intervalMs: number
  snapshot: () => Promise<AgentHeartbeat>
}): Heartbeat {
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
  let soon: NodeJS.Timeout | null = null
  let stopped = false
  return {
    nudge() {
      if (soon || stopped) return
      soon = setTimeout(() => {
        soon = null
        void beat()
      }, NUDGE_DELAY_MS)
      soon.unref()
    },
    stop() {
      stopped = true
      clearInterval(timer)
      if (soon) clearTimeout(soon)
    },
  }
}
