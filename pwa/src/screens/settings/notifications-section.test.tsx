import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'

const push = vi.hoisted(() => {
  let state: 'on' | 'off' = 'off'
  let finish: () => void = () => {}
  return {
    setState: (next: 'on' | 'off') => (state = next),
    finish: () => finish(),
    module: {
      pushSupported: () => true,
      loadPushKey: async () => 'key',
      pushState: async () => state,
      enablePush: () =>
        new Promise<void>((resolve) => {
          finish = () => {
            state = 'on'
            resolve()
          }
        }),
      disablePush: async () => {},
    },
  }
})
vi.mock('../../app/push.ts', () => push.module)

const { NotificationsSection } = await import('./notifications-section.tsx')

afterEach(cleanup)

describe('NotificationsSection', () => {
  it('shows progress while the push service is asked, then a result that stays', async () => {
    render(<NotificationsSection />)
    const toggle = await screen.findByRole('switch')
    await vi.waitFor(() => expect(toggle.hasAttribute('disabled')).toBe(false))
    fireEvent.click(toggle)
    expect(screen.getByRole('status').textContent).toMatch(/Asking the browser’s push service/)
    push.finish()
    expect(
      await screen.findByText('Notifications are on for this device.', {
        selector: '[role=status]',
      }),
    ).toBeTruthy()
    expect(screen.queryByText(/Asking the browser/)).toBeNull()
  })
})
