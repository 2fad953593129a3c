import { AGENT_STALE_MS, formatBytes, formatEta } from '@tseeder/shared'
import type { AgentInfo, QueueSummary } from '@tseeder/shared'
import { useCallback, useEffect, useState } from 'react'
import { api } from '../../app/api.ts'
import { EmptyState, ErrorState, LoadingState } from '../../ui/states.tsx'
import { drainLabel, useAgentDrain } from './agent-drain.tsx'
import { TableRegion } from './table-region.tsx'
import { ageSeconds, formatAge } from './time.ts'

type ListState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; agents: AgentInfo[]; queue: QueueSummary; at: number }

/** "2 of 4 transfer slots · 5 parked (of 32)". */
export function formatSlots(agent: AgentInfo): string {
  return `${agent.transfers} of ${agent.capacity} transfer slots · ${agent.parkedJobs} parked (of ${agent.idleCapacity})`
}

/** The fleet's line in one sentence: "12 waiting · longest 4m · median 1m · 7 parked". */
export function formatLine(queue: QueueSummary): string {
  const parts = [queue.depth === 0 ? 'Nothing waiting' : `${queue.depth} waiting`]
  if (queue.oldestWaitSeconds !== null) parts.push(`longest ${formatEta(queue.oldestWaitSeconds)}`)
  if (queue.medianWaitSeconds !== null) parts.push(`median ${formatEta(queue.medianWaitSeconds)}`)
  parts.push(`${queue.parked} parked`)
  return parts.join(' · ')
}

/** True when an agent should get an operator's attention. */
export function isStale(agent: AgentInfo, now = Date.now()): boolean {
  return !agent.healthy || ageSeconds(agent.lastHeartbeatAt, now) * 1000 > AGENT_STALE_MS
}

/**
 * `/admin/agents`: the fleet's line, and every compute agent's last heartbeat, transfer slots,
 * parked torrents and free disk, with its drain; refreshes itself.
 */
export function AgentsTab() {
  const [state, setState] = useState<ListState>({ status: 'loading' })
  const drain = useAgentDrain((saved) =>
    setState((previous) =>
      previous.status === 'ready'
        ? {
            ...previous,
            agents: previous.agents.map((agent) => (agent.id === saved.id ? saved : agent)),
          }
        : previous,
    ),
  )

  const load = useCallback(async () => {
    try {
      const { agents, queue } = await api.adminListAgents()
      setState({ status: 'ready', agents, queue, at: Date.now() })
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
      {drain.dialog}
      <div className="section-head">
        <h2 id="agents-heading">Agents</h2>
        <button type="button" className="button button-small" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {state.status === 'ready' && <p className="section-meta">Queue: {formatLine(state.queue)}</p>}
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
              'Load',
              { label: 'Free disk', numeric: true },
              'Version',
              { label: 'Actions', hidden: true },
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
                    {agent.draining && <span className="tag tag-accent">Draining</span>}
                  </td>
                  <td className="nowrap" title={agent.lastHeartbeatAt}>
                    {formatAge(agent.lastHeartbeatAt, state.at)}
                  </td>
                  <td className="nowrap">{formatSlots(agent)}</td>
                  <td className="num">{formatBytes(agent.freeDiskBytes)}</td>
                  <td className="mono">{agent.version}</td>
                  <td className="nowrap">
                    <button
                      type="button"
                      className={agent.draining ? 'button' : 'button button-danger'}
                      aria-label={`${drainLabel(agent)} ${agent.id}`}
                      disabled={drain.busy === agent.id}
                      onClick={() => void drain.toggle(agent)}
                    >
                      {drainLabel(agent)}
                    </button>
                  </td>
                </tr>
              )
            })}
          </TableRegion>
        </>
      )}
    </section>
  )
}
