import type { AgentInfo, QueueSummary } from '@tseeder/shared'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AGENT_STALE_MS } from '@tseeder/shared'

const calls = vi.hoisted(() => ({
  adminListAgents: vi.fn<() => Promise<{ agents: AgentInfo[]; queue: QueueSummary }>>(),
  adminDrainAgent:
    vi.fn<(input: { params: { id: string }; body: { draining: boolean } }) => Promise<AgentInfo>>(),
}))
vi.mock('../../app/api.ts', () => ({ api: calls, requestSessionCheck: vi.fn() }))

const { AgentsTab, formatLine, formatSlots, isStale } = await import('./agents-tab.tsx')
const { formatAge } = await import('./time.ts')
const { Toaster } = await import('../../ui/toast.tsx')

const now = Date.parse('2026-01-01T12:00:00Z')
function agent(secondsAgo: number, healthy = true, at = now): AgentInfo {
  return {
    id: 'a1',
    url: 'http://127.0.0.1:1',
    capacity: 4,
    activeJobs: 1,
    transfers: 1,
    parkedJobs: 0,
    idleCapacity: 16,
    draining: false,
    freeDiskBytes: 1e9,
    version: '0.1.0',
    lastHeartbeatAt: new Date(at - secondsAgo * 1000).toISOString(),
    healthy,
  }
}

const queue = { depth: 12, oldestWaitSeconds: 240, medianWaitSeconds: 65, parked: 7 }

afterEach(() => {
  cleanup()
  vi.clearAllMocks()
})

describe('agent health', () => {
  it('flags agents silent for longer than the limit, or reported unhealthy', () => {
    expect(isStale(agent(5), now)).toBe(false)
    expect(isStale(agent(AGENT_STALE_MS / 1000 + 1), now)).toBe(true)
    expect(isStale(agent(5, false), now)).toBe(true)
  })

  it('says how long ago the last heartbeat was', () => {
    expect(formatAge(agent(5).lastHeartbeatAt, now)).toMatch(/5 seconds ago/)
    expect(formatAge(agent(180).lastHeartbeatAt, now)).toMatch(/3 minutes ago/)
  })
})

describe('agent load and the line', () => {
  it('counts transfer slots and parked torrents against their own limits', () => {
    const busy = { ...agent(5), capacity: 4, transfers: 2, parkedJobs: 5, idleCapacity: 32 }
    expect(formatSlots(busy)).toBe('2 of 4 transfer slots · 5 parked (of 32)')
  })

  it('sums up the line in one sentence, with no waits when nothing waits', () => {
    expect(formatLine(queue)).toBe('12 waiting · longest 4m · median 1m 5s · 7 parked')
    expect(
      formatLine({ depth: 0, oldestWaitSeconds: null, medianWaitSeconds: null, parked: 3 }),
    ).toBe('Nothing waiting · 3 parked')
  })
})

describe('AgentsTab', () => {
  const a1 = { ...agent(1, true, Date.now()), transfers: 2, parkedJobs: 5, idleCapacity: 32 }

  function renderTab(agents: AgentInfo[] = [a1]) {
    calls.adminListAgents.mockResolvedValue({ agents, queue })
    return render(
      <>
        <AgentsTab />
        <Toaster />
      </>,
    )
  }

  it('shows the line above the table and each agent’s slots', async () => {
    renderTab()
    await screen.findByText('Queue: 12 waiting · longest 4m · median 1m 5s · 7 parked')
    const row = screen.getByRole('row', { name: /a1/ })
    within(row).getByText('2 of 4 transfer slots · 5 parked (of 32)')
    expect(within(row).queryByText('Draining')).toBeNull()
  })

  it('drains an agent once confirmed and shows the answer', async () => {
    calls.adminDrainAgent.mockResolvedValue({ ...a1, draining: true })
    renderTab()
    fireEvent.click(await screen.findByRole('button', { name: 'Drain a1' }))
    await screen.findByText('Drain a1?')
    fireEvent.click(screen.getByRole('button', { name: 'Drain agent' }))
    await screen.findByText('a1 is draining: it gets no new jobs.')
    expect(calls.adminDrainAgent).toHaveBeenCalledWith({
      params: { id: 'a1' },
      body: { draining: true },
    })
    const row = screen.getByRole('row', { name: /a1/ })
    within(row).getByText('Draining')
    within(row).getByRole('button', { name: 'Stop draining a1' })
  })

  it('does nothing when the operator keeps the agent as it is', async () => {
    renderTab()
    fireEvent.click(await screen.findByRole('button', { name: 'Drain a1' }))
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }))
    await waitFor(() => expect(screen.queryByText('Drain a1?')).toBeNull())
    expect(calls.adminDrainAgent).not.toHaveBeenCalled()
  })

  it('stops draining a draining agent', async () => {
    calls.adminDrainAgent.mockResolvedValue({ ...a1, draining: false })
    renderTab([{ ...a1, draining: true }])
    within(await screen.findByRole('row', { name: /a1/ })).getByText('Draining')
    fireEvent.click(screen.getByRole('button', { name: 'Stop draining a1' }))
    fireEvent.click(await screen.findByRole('button', { name: 'Stop draining' }))
    await screen.findByText('a1 takes new jobs again.')
    expect(calls.adminDrainAgent).toHaveBeenCalledWith({
      params: { id: 'a1' },
      body: { draining: false },
    })
    await screen.findByRole('button', { name: 'Drain a1' })
    expect(screen.queryByText('Draining')).toBeNull()
  })

  it('says why when the server refuses, and leaves the agent as it was', async () => {
    calls.adminDrainAgent.mockRejectedValue(new Error('No such agent.'))
    renderTab()
    fireEvent.click(await screen.findByRole('button', { name: 'Drain a1' }))
    fireEvent.click(await screen.findByRole('button', { name: 'Drain agent' }))
    await screen.findByText('No such agent.')
    expect(screen.getByRole('button', { name: 'Drain a1' })).toBeTruthy()
  })
})
