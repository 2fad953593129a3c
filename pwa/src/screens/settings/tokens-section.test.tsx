import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({
  listTokens: vi.fn(async () => ({ tokens: [] as unknown[] })),
  createToken: vi.fn(),
  revokeToken: vi.fn(),
}))
vi.mock('../../app/api.ts', () => ({ api: calls, requestSessionCheck: vi.fn() }))

const { TokensSection } = await import('./tokens-section.tsx')

afterEach(() => {
  cleanup()
  vi.clearAllMocks()
})

describe('TokensSection', () => {
  it('does not say "yet" about an empty list, which may follow a revoke', async () => {
    render(<TokensSection />)
    expect(await screen.findByRole('heading', { name: 'No API tokens' })).toBeTruthy()
    expect(screen.queryByText('No tokens yet')).toBeNull()
  })

  it('leaves no earlier error under the form once a token has been made', async () => {
    calls.createToken.mockResolvedValue({
      id: 't1',
      name: 'Browser extension',
      prefix: 'tsd_abcd',
      scopes: ['jobs:read', 'jobs:write', 'files:read'],
      createdAt: '2026-11-29T16:00:00.000Z',
      lastUsedAt: null,
      token: 'tsd_secret',
    })
    render(<TokensSection />)
    await screen.findByRole('heading', { name: 'No API tokens' })
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }))
    expect(screen.getByText('Name is required.')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Create a token for the extension' }))
    await screen.findByRole('region', { name: 'Extension connection details' })
    expect(screen.queryByText('Name is required.')).toBeNull()
  })
})
