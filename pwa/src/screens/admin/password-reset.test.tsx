import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({ adminResetPassword: vi.fn() }))
vi.mock('../../app/api.ts', () => ({ api: calls, requestSessionCheck: vi.fn() }))

const { usePasswordReset } = await import('./password-reset.tsx')

afterEach(() => {
  cleanup()
  vi.clearAllMocks()
})

const user = {
  id: 'u1',
  email: 'ada@example.com',
  role: 'user' as const,
  plan: 'free' as const,
  suspended: false,
  aupAcceptedAt: null,
  createdAt: '2026-11-29T16:00:00.000Z',
}

function Harness({ confirm }: { confirm(): Promise<boolean> }) {
  const reset = usePasswordReset(confirm)
  return (
    <>
      {reset.notice}
      <button type="button" onClick={() => void reset.reset(user)}>
        Reset
      </button>
    </>
  )
}

describe('usePasswordReset', () => {
  it('shows the one-time password once, after the admin confirms', async () => {
    calls.adminResetPassword.mockResolvedValue({ password: 'Zx9-one-time-secret1' })
    render(<Harness confirm={async () => true} />)
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }))
    const notice = await screen.findByRole('region', { name: 'New password for ada@example.com' })
    expect(notice.querySelector('input')?.value).toBe('Zx9-one-time-secret1')
    expect(calls.adminResetPassword).toHaveBeenCalledWith({ params: { id: 'u1' } })
    fireEvent.click(screen.getByRole('button', { name: 'I have copied it' }))
    expect(screen.queryByRole('region')).toBeNull()
  })

  it('does nothing when the admin does not confirm', async () => {
    render(<Harness confirm={async () => false} />)
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }))
    await Promise.resolve()
    expect(calls.adminResetPassword).not.toHaveBeenCalled()
  })
})
