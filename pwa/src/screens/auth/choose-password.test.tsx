import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({
  config: vi.fn(() => Promise.resolve({ turnstileSiteKey: null })),
  login: vi.fn(),
  changePassword: vi.fn(async () => undefined),
}))
const session = vi.hoisted(() => ({
  state: { status: 'signed-out' } as Record<string, unknown>,
  refresh: vi.fn(async () => {}),
  signOut: vi.fn(async () => {}),
}))
vi.mock('../../app/api.ts', () => ({ api: calls, requestSessionCheck: vi.fn() }))
vi.mock('../../app/session.tsx', () => ({
  useSession: () => session,
  isReturningVisitor: () => false,
  signOutHooks: { run: vi.fn(async () => {}) },
}))

const { AuthForm } = await import('./auth-form.tsx')
const { default: ChoosePassword } = await import('./choose-password.tsx')
const { AppRoutes } = await import('../../app/routes.tsx')

const ONE_TIME = 'Xy7-one-time-pass'
const forced = {
  status: 'signed-in',
  me: { user: { mustChangePassword: true, aupAcceptedAt: '2026-01-01T00:00:00.000Z' } },
}

afterEach(() => {
  cleanup()
  vi.clearAllMocks()
  session.state = { status: 'signed-out' }
})

const input = (label: string) => screen.getByLabelText<HTMLInputElement>(label)

describe('after an operator’s password reset', () => {
  it('leads any page of the app straight to "Choose a new password"', async () => {
    session.state = forced
    render(
      <MemoryRouter initialEntries={['/settings']}>
        <AppRoutes />
      </MemoryRouter>,
    )
    expect(await screen.findByRole('heading', { name: 'Choose a new password' })).toBeTruthy()
  })

  it('takes the one-time password from the sign-in, so only the new one is asked for', async () => {
    calls.login.mockResolvedValue({ user: { mustChangePassword: true }, csrfToken: 'c' })
    render(
      <MemoryRouter>
        <AuthForm mode="signin" />
      </MemoryRouter>,
    )
    fireEvent.change(input('Email'), { target: { value: 'ada@example.com' } })
    fireEvent.change(input('Password'), { target: { value: ONE_TIME } })
    const signIn = screen.getByRole('button', { name: 'Sign in' })
    await waitFor(() => expect(signIn.hasAttribute('disabled')).toBe(false))
    fireEvent.click(signIn)
    await waitFor(() => expect(session.refresh).toHaveBeenCalled())
    cleanup()

    session.state = forced
    render(
      <MemoryRouter>
        <ChoosePassword />
      </MemoryRouter>,
    )
    expect(screen.queryByLabelText('One-time password')).toBeNull()
    fireEvent.change(input('New password'), { target: { value: 'my own passphrase' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save and continue' }))
    await waitFor(() =>
      expect(calls.changePassword).toHaveBeenCalledWith({
        body: { currentPassword: ONE_TIME, newPassword: 'my own passphrase' },
      }),
    )
    await waitFor(() => expect(session.refresh).toHaveBeenCalledTimes(2))
  })

  it('asks for the one-time password when the page is opened afresh', () => {
    session.state = forced
    render(
      <MemoryRouter>
        <ChoosePassword />
      </MemoryRouter>,
    )
    expect(input('One-time password').value).toBe('')
  })
})
