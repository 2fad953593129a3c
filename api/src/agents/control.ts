import { agentProtocol, type AgentStartBody } from '@tseeder/shared'
import { log } from '../lib/log.ts'
import { callAgent } from './client.ts'
import { getAgent, type AgentRow } from '../db/agents.ts'
import { isAgentHealthy } from './registry.ts'

type AgentRef = Pick<AgentRow, 'id' | 'url'>

/** Hands a job to `agent`; throws when the agent does not take it. */
export async function startJob(env: Env, agent: AgentRef, body: AgentStartBody): Promise<void> {
  await callAgent(env, agent, agentProtocol.start, body)
}

/**
 * Stops the job on the agent (a row, or an id to look up), removing its data. Best effort: the
 * agent may be gone, which is often why it is stopped.
 */
export async function stopJob(env: Env, agent: AgentRef | string, jobId: string): Promise<void> {
  const target = typeof agent === 'string' ? await getAgent(env.DB, agent) : agent
  if (!target) return
  await callAgent(env, target, agentProtocol.stop, { jobId, removeData: true }).catch((error) =>
    log.warn('agent_stop_failed', { jobId, agentId: target.id, error: String(error) }),
  )
}

/** Pauses the job on its agent; false when the agent is unhealthy or did not answer. */
export function pauseJob(env: Env, agentId: string, jobId: string): Promise<boolean> {
  return tellHealthyAgent(env, agentId, jobId, 'pause')
}

/** Resumes the job on its agent; false when the agent is unhealthy or did not answer. */
export function resumeJob(env: Env, agentId: string, jobId: string): Promise<boolean> {
  return tellHealthyAgent(env, agentId, jobId, 'resume')
}

async function tellHealthyAgent(
  env: Env,
  agentId: string,
  jobId: string,
  action: 'pause' | 'resume',
): Promise<boolean> {
  const agent = await getAgent(env.DB, agentId)
  if (!isAgentHealthy(agent)) return false
  try {
    await callAgent(env, agent, agentProtocol[action], { jobId })
    return true
  } catch (error) {
    log.warn('agent_call_failed', {
      jobId,
      agentId: agent.id,
      path: agentProtocol[action].path,
      error: String(error),
    })
    return false
  }
}
