import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'

const HOOK = {
  id: 'w1',
  url: 'https://hooks.example.com/tseeder',
  events: ['job.completed', 'job.failed'],
  createdAt: '2026-11-29T16:00:00.000Z',
  secretRotatedAt: '2026-11-29T16:00:00.000Z',
  lastAttempt: { at: '2026-11-29T17:00:00.000Z', statusCode: 500, ok: false },
}

const calls = vi.hoisted(() => ({
  listWebhooks: vi.fn(),
  createWebhook: vi.fn(),
  deleteWebhook: vi.fn(),
  rotateWebhookSecret: vi.fn(),
  listWebhookAttempts: vi.fn(),
}))
vi.mock('../../app/api.ts', () => ({ api: calls, requestSessionCheck: vi.fn() }))

const { WebhooksSection } = await import('./webhooks-section.tsx')

afterEach(() => {
  cleanup()
  vi.clearAllMocks()
})

describe('WebhooksSection', () => {
  it('adds a webhook and shows its secret once', async () => {
    calls.listWebhooks.mockResolvedValueOnce({ webhooks: [] })
    calls.listWebhooks.mockResolvedValue({ webhooks: [HOOK] })
    calls.createWebhook.mockResolvedValue({ ...HOOK, secret: 'whsec_abc' })
    render(<WebhooksSection />)
    await screen.findByRole('heading', { name: 'No webhooks' })
    fireEvent.change(screen.getByLabelText('Endpoint URL'), { target: { value: HOOK.url } })
    fireEvent.click(screen.getByRole('checkbox', { name: /job\.failed/ }))
    fireEvent.click(screen.getByRole('button', { name: 'Add webhook' }))
    const notice = await screen.findByRole('region', { name: 'New webhook secret' })
    expect((within(notice).getByRole('textbox') as HTMLInputElement).value).toBe('whsec_abc')
    expect(calls.createWebhook).toHaveBeenCalledWith({
      body: { url: HOOK.url, events: ['job.completed'] },
    })
    fireEvent.click(screen.getByRole('button', { name: 'I have copied it' }))
    expect(screen.queryByText('whsec_abc')).toBeNull()
    expect(screen.queryByRole('region', { name: 'New webhook secret' })).toBeNull()
  })

  it('shows the server’s reason when an endpoint is refused', async () => {
    calls.listWebhooks.mockResolvedValue({ webhooks: [] })
    const { ApiError } = await import('@tseeder/shared')
    calls.createWebhook.mockRejectedValue(
      new ApiError(
        400,
        'validation_failed',
        'Invalid body: url must use https:// (http:// is not allowed).',
      ),
    )
    render(<WebhooksSection />)
    await screen.findByRole('heading', { name: 'No webhooks' })
    fireEvent.change(screen.getByLabelText('Endpoint URL'), {
      target: { value: 'http://example.com' },
    })
    fireEvent.click(screen.getByRole('button', { name: 'Add webhook' }))
    expect((await screen.findByRole('alert')).textContent).toMatch(/must use https/)
  })

  it('lists webhooks with their last attempt and opens the delivery log', async () => {
    calls.listWebhooks.mockResolvedValue({ webhooks: [HOOK] })
    calls.listWebhookAttempts.mockResolvedValue({
      attempts: [
        {
          deliveryId: 'd1',
          event: 'job.completed',
          jobId: 'j1',
          attempt: 1,
          at: '2026-11-29T17:00:00.000Z',
          statusCode: 500,
          ok: false,
          error: 'The endpoint answered 500.',
          durationMs: 12,
          deliveryStatus: 'pending',
          nextAttemptAt: '2026-11-29T17:01:00.000Z',
        },
      ],
    })
    render(<WebhooksSection />)
    expect(await screen.findByText(/failed \(HTTP 500\)/)).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Delivery log' }))
    const log = await screen.findByRole('table', { name: `Deliveries to ${HOOK.url}` })
    expect(log.textContent).toContain('The endpoint answered 500.')
    expect(log.textContent).toMatch(/retry/)
  })
})
