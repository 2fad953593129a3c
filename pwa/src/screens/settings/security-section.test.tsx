import { ApiError } from '@tseeder/shared'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({
  changePassword: vi.fn(),
  signOutEverywhere: vi.fn(),
  deleteAccount: vi.fn(),
}))
const session = vi.hoisted(() => ({ signOut: vi.fn(async () => {}) }))
vi.mock('../../app/api.ts', () => ({ api: calls, requestSessionCheck: vi.fn() }))
vi.mock('../../app/session.tsx', () => ({
  useSession: () => session,
  signOutHooks: { run: vi.fn(async () => {}) },
}))

const { Toaster } = await import('../../ui/toast.tsx')
const { ChangePasswordForm, DeleteAccountSection, SignOutEverywhere } =
  await import('./security-section.tsx')

afterEach(() => {
  cleanup()
  vi.clearAllMocks()
})

function show(children: React.ReactNode) {
  render(
    <MemoryRouter>
      {children}
      <Toaster />
    </MemoryRouter>,
  )
}

const input = (label: string) => screen.getByLabelText<HTMLInputElement>(label)

describe('ChangePasswordForm', () => {
  it('checks the fields in the browser first and focuses the first bad one', () => {
    show(<ChangePasswordForm />)
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }))
    expect(calls.changePassword).not.toHaveBeenCalled()
    expect(screen.getByText('Is required')).toBeTruthy()
    expect(document.activeElement).toBe(input('Current password'))
  })

  it('changes the password, empties the fields and says the other devices were signed out', async () => {
    calls.changePassword.mockResolvedValue(undefined)
    show(<ChangePasswordForm />)
    fireEvent.change(input('Current password'), { target: { value: 'old password 1' } })
    fireEvent.change(input('New password'), { target: { value: 'new password 22' } })
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }))
    expect(
      await screen.findByText('Password changed. Your other devices were signed out.'),
    ).toBeTruthy()
    expect(calls.changePassword).toHaveBeenCalledWith({
      body: { currentPassword: 'old password 1', newPassword: 'new password 22' },
    })
    expect(input('Current password').value).toBe('')
    expect(screen.queryByText(/Is required|Must be/)).toBeNull()
  })

  it('puts a wrong current password under its field', async () => {
    calls.changePassword.mockRejectedValue(
      new ApiError(400, 'invalid_credentials', 'That is not your current password.', [
        { path: ['currentPassword'], message: 'is not your current password' },
      ]),
    )
    show(<ChangePasswordForm />)
    fireEvent.change(input('Current password'), { target: { value: 'not it at all' } })
    fireEvent.change(input('New password'), { target: { value: 'new password 22' } })
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }))
    expect(await screen.findByText('Is not your current password')).toBeTruthy()
    expect(input('Current password').getAttribute('aria-invalid')).toBe('true')
  })
})

describe('SignOutEverywhere', () => {
  it('asks, signs out every session on the server, then this browser', async () => {
    calls.signOutEverywhere.mockResolvedValue(undefined)
    show(<SignOutEverywhere />)
    fireEvent.click(screen.getByRole('button', { name: 'Sign out everywhere' }))
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out all devices' }))
    await waitFor(() => expect(session.signOut).toHaveBeenCalled())
    expect(calls.signOutEverywhere).toHaveBeenCalled()
  })
})

describe('DeleteAccountSection', () => {
  it('asks for the password before anything else', () => {
    show(<DeleteAccountSection />)
    fireEvent.click(screen.getByRole('button', { name: 'Delete my account' }))
    expect(screen.getByText('Is required')).toBeTruthy()
    expect(calls.deleteAccount).not.toHaveBeenCalled()
  })

  it('deletes the account after the confirmation, then signs this browser out', async () => {
    calls.deleteAccount.mockResolvedValue(undefined)
    show(<DeleteAccountSection />)
    fireEvent.change(input('Your password'), { target: { value: 'my password 1' } })
    fireEvent.click(screen.getByRole('button', { name: 'Delete my account' }))
    fireEvent.click(await screen.findByRole('button', { name: 'Delete account and files' }))
    await waitFor(() => expect(session.signOut).toHaveBeenCalled())
    expect(calls.deleteAccount).toHaveBeenCalledWith({ body: { password: 'my password 1' } })
  })
})
