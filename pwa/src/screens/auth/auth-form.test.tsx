import { ApiError } from '@tseeder/shared'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({
  config: vi.fn(() => Promise.resolve({ turnstileSiteKey: null })),
  register: vi.fn(),
  login: vi.fn(),
}))
vi.mock('../../app/api.ts', () => ({ api: calls }))
vi.mock('../../app/session.tsx', () => ({
  useSession: () => ({ state: { status: 'signed-out' }, refresh: vi.fn() }),
  isReturningVisitor: () => localStorage.getItem('tseeder.returning') !== null,
}))

const { AuthForm, tryAgainText } = await import('./auth-form.tsx')

function show(mode: 'signin' | 'signup') {
  render(
    <MemoryRouter>
      <AuthForm mode={mode} />
    </MemoryRouter>,
  )
}

const submitButton = (name: string) => screen.getByRole('button', { name })
const input = (label: string) => screen.getByLabelText<HTMLInputElement>(label)

beforeEach(() => localStorage.clear())
afterEach(() => {
  cleanup()
  vi.clearAllMocks()
})

describe('the sign-in page', () => {
  it('greets a first-time visitor truthfully and offers sign-up plainly', () => {
    show('signin')
    expect(screen.queryByText(/Welcome back/)).toBeNull()
    expect(screen.getByText(/First time here\?/)).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Create a free account' }).getAttribute('href')).toBe(
      '/signup',
    )
  })

  it('welcomes back a browser that has been signed in before', () => {
    localStorage.setItem('tseeder.returning', '1')
    show('signin')
    expect(screen.getByText(/Welcome back/)).toBeTruthy()
    expect(screen.queryByRole('link', { name: 'Create a free account' })).toBeNull()
  })

  it('checks an empty form in the browser and focuses the first bad field', async () => {
    show('signin')
    await waitFor(() => expect(submitButton('Sign in').hasAttribute('disabled')).toBe(false))
    fireEvent.click(submitButton('Sign in'))
    expect(await screen.findByText('Must be a valid email address')).toBeTruthy()
    expect(calls.login).not.toHaveBeenCalled()
    expect(document.activeElement).toBe(input('Email'))
  })
})

describe('the sign-up page', () => {
  it('refuses a short password before asking the server, once, without the hint under it', async () => {
    show('signup')
    await waitFor(() =>
      expect(submitButton('Create your account').hasAttribute('disabled')).toBe(false),
    )
    fireEvent.change(input('Email'), { target: { value: 'ada@example.com' } })
    fireEvent.change(input('Password'), { target: { value: 'short' } })
    fireEvent.click(submitButton('Create your account'))
    expect(await screen.findByText('Must be at least 10 characters')).toBeTruthy()
    expect(calls.register).not.toHaveBeenCalled()
    expect(screen.queryByText('At least 10 characters.')).toBeNull()
    expect(document.activeElement).toBe(input('Password'))
    expect(input('Password').getAttribute('aria-invalid')).toBe('true')
  })

  it('keeps a line for each field message so an error does not move the form', async () => {
    show('signup')
    const emailField = input('Email').closest('.field')!
    expect(emailField.querySelectorAll('.field-hint, .field-error')).toHaveLength(1)
    await waitFor(() =>
      expect(submitButton('Create your account').hasAttribute('disabled')).toBe(false),
    )
    fireEvent.click(submitButton('Create your account'))
    await waitFor(() => expect(emailField.querySelector('.field-error')).not.toBeNull())
    expect(emailField.querySelectorAll('.field-hint, .field-error')).toHaveLength(1)
  })

  it('shows a 429 with when to try again, and the field errors beside it', async () => {
    calls.register.mockRejectedValue(
      new ApiError(429, 'rate_limited', 'Too many requests', undefined, 300),
    )
    show('signup')
    await waitFor(() =>
      expect(submitButton('Create your account').hasAttribute('disabled')).toBe(false),
    )
    fireEvent.change(input('Email'), { target: { value: 'ada@example.com' } })
    fireEvent.change(input('Password'), { target: { value: 'long enough password' } })
    fireEvent.click(submitButton('Create your account'))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toMatch(/Try again in 5m, at /)

    fireEvent.change(input('Password'), { target: { value: 'short' } })
    fireEvent.click(submitButton('Create your account'))
    expect(await screen.findByText('Must be at least 10 characters')).toBeTruthy()
    expect(screen.getByRole('alert').textContent).toMatch(/Try again in 5m/)
    expect(calls.register).toHaveBeenCalledTimes(1)
  })
})

describe('tryAgainText', () => {
  it('says how long and at what clock time', () => {
    const now = Date.parse('2026-11-29T16:40:00Z')
    expect(tryAgainText(90, now)).toMatch(
      /^Too many attempts from this network\. Try again in 1m 30s, at .+\.$/,
    )
    expect(tryAgainText(undefined, now)).toMatch(/Wait a minute/)
  })
})
