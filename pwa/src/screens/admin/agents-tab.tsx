import { AGENT_STALE_MS, formatBytes } from '@tseeder/shared'
import type { z } from 'zod'
import type { AgentInfo } from '@tseeder/shared'
import { useCallback, useEffect, useState } from 'react'
import { api } from '../../app/api.ts'
import { EmptyState, ErrorState, LoadingState } from '../../ui/states.tsx'
import { TableRegion } from './table-region.tsx'
import { ageSeconds, formatAge } from './time.ts'

type Agent = z.infer<typeof AgentInfo>

type ListState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; agents: Agent[]; at: number }

/** True when an agent should get an operator's attention. */
export function isStale(agent: Agent, now = Date.now()): boolean {
  return !agent.healthy || ageSeconds(agent.lastHeartbeatAt, now) * 1000 > AGENT_STALE_MS
}

/** `/admin/agents`: every compute agent's last heartbeat, load and free disk; refreshes itself. */
export function AgentsTab() {
  const [state, setState] = useState<ListState>({ status: 'loading' })

  const load = useCallback(async () => {
    try {
      const { agents } = await api.adminListAgents()
      setState({ status: 'ready', agents, at: Date.now() })
    } catch (error) {
      setState((previous) => (previous.status === 'ready' ? previous : { status: 'error', error }))
    }
  }, [])

  useEffect(() => {
    void load()
    const timer = window.setInterval(() => void load(), 10_000)
    return () => window.clearInterval(timer)
  }, [load])

  const stale = state.status === 'ready' ? state.agents.filter((a) => isStale(a, state.at)) : []

  return (
    <section aria-labelledby="agents-heading">
      <div className="section-head">
        <h2 id="agents-heading">Agents</h2>
        <button type="button" className="button button-small" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {state.status === 'loading' && <LoadingState label="Loading agents" />}
      {state.status === 'error' && <ErrorState error={state.error} retry={() => void load()} />}
      {state.status === 'ready' && state.agents.length === 0 && (
        <EmptyState title="No agent has checked in">
          <p>Jobs wait in the queue until an agent sends its first heartbeat.</p>
        </EmptyState>
      )}
      {state.status === 'ready' && state.agents.length > 0 && (
        <>
          <p className="section-meta" role="status">
            {stale.length === 0
              ? state.agents.length === 1
                ? 'The agent is healthy.'
                : `All ${state.agents.length} agents are healthy.`
              : `${stale.length} of ${state.agents.length} agents need attention.`}
          </p>
          <TableRegion
            label="Agent list"
            columns={[
              'Agent',
              'Health',
              'Last heartbeat',
              { label: 'Jobs / capacity', numeric: true },
              { label: 'Free disk', numeric: true },
              'Version',
            ]}
          >
            {state.agents.map((agent) => {
              const bad = isStale(agent, state.at)
              return (
                <tr key={agent.id} data-stale={bad || undefined}>
                  <th scope="row" className="cell-main">
                    {agent.id}
                    <span className="cell-note mono">{agent.url}</span>
                  </th>
                  <td>
                    <span className={bad ? 'tag tag-bad' : 'tag tag-ok'}>
                      {!agent.healthy ? 'Unhealthy' : bad ? 'Stale' : 'Healthy'}
                    </span>
                  </td>
                  <td className="nowrap" title={agent.lastHeartbeatAt}>
                    {formatAge(agent.lastHeartbeatAt, state.at)}
                  </td>
                  <td className="num">
                    {agent.activeJobs} / {agent.capacity}
                  </td>
                  <td className="num">{formatBytes(agent.freeDiskBytes)}</td>
                  <td className="mono">{agent.version}</td>
                </tr>
              )
            })}
          </TableRegion>
        </>
      )}
    </section>
  )
}
