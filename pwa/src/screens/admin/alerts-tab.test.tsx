import type { Alert } from '@tseeder/shared'
import { cleanup, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({
  adminListAlerts: vi.fn<() => Promise<{ alerts: Alert[]; webhookConfigured: boolean }>>(),
}))
vi.mock('../../app/api.ts', () => ({ api: calls, requestSessionCheck: vi.fn() }))

const { AlertsTab, formatDeliveries } = await import('./alerts-tab.tsx')

const stale: Alert = {
  id: 2,
  createdAt: '2026-01-01T12:00:00.000Z',
  kind: 'agent_stale',
  jobId: null,
  message: 'Agent a1 has not reported for 3 min and still holds 2 job(s).',
  key: 'agent_stale:a1',
  subject: 'a1',
  severity: 'critical',
  resolvedAt: null,
  runbook: 'https://docs.example.test/OBSERVABILITY.md#stale-agent',
  deliveries: [
    {
      event: 'opened',
      status: 'pending',
      attempts: 2,
      lastError: 'The webhook answered 500.',
      deliveredAt: null,
    },
  ],
}
const draining: Alert = {
  ...stale,
  id: 1,
  kind: 'agent_draining',
  key: 'agent_draining:a2',
  message: 'Agent a2 is draining.',
  severity: 'info',
  resolvedAt: '2026-01-01T13:00:00.000Z',
  runbook: 'OBSERVABILITY.md#draining-agent',
  deliveries: [
    { event: 'opened', status: 'delivered', attempts: 1, lastError: null, deliveredAt: null },
    { event: 'resolved', status: 'failed', attempts: 8, lastError: 'timeout', deliveredAt: null },
  ],
}

afterEach(() => {
  cleanup()
  vi.clearAllMocks()
})

describe('alert deliveries', () => {
  it('say what reached the webhook, what is retried and what was given up', () => {
    expect(formatDeliveries(stale, true)).toEqual([
      'Opening pending, retrying after 2 attempts: The webhook answered 500.',
    ])
    expect(formatDeliveries(draining, true)).toEqual([
      'Opening delivered',
      'Resolution not delivered, gave up after 8 attempts: timeout',
    ])
    expect(formatDeliveries({ ...stale, deliveries: [] }, false)).toEqual(['No webhook configured'])
  })
})

describe('AlertsTab', () => {
  it('lists open alerts apart from resolved ones, with severity, runbook and delivery', async () => {
    calls.adminListAlerts.mockResolvedValue({ alerts: [stale, draining], webhookConfigured: true })
    render(<AlertsTab />)

    const open = await screen.findByRole('region', { name: 'Open alerts' })
    const row = within(open).getByRole('row', { name: /agent_stale/ })
    within(row).getByText('critical')
    expect(within(row).getByRole('link', { name: 'Runbook' }).getAttribute('href')).toBe(
      stale.runbook,
    )
    within(row).getByText(/retrying after 2 attempts/)

    const resolved = screen.getByRole('region', { name: 'Resolved alerts' })
    const old = within(resolved).getByRole('row', { name: /agent_draining/ })
    within(old).getByText('info')
    within(old).getByText('OBSERVABILITY.md#draining-agent')
    within(old).getByText('Opening delivered')
    expect(within(open).queryByText(/agent_draining/)).toBeNull()
    expect(screen.queryByText(/No alert webhook is configured/)).toBeNull()
  })

  it('says nothing needs attention when every alert is resolved, and when no webhook is set', async () => {
    calls.adminListAlerts.mockResolvedValue({ alerts: [draining], webhookConfigured: false })
    render(<AlertsTab />)
    await screen.findByText('No open alerts')
    screen.getByText(/No alert webhook is configured/)
    screen.getByRole('region', { name: 'Resolved alerts' })
  })
})
