import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const session = vi.hoisted(() => ({ plan: 'free' as 'free' | 'pro' }))
vi.mock('../../app/session.tsx', () => ({
  useMe: () => ({ plan: { id: session.plan } }),
}))
vi.mock('../../ui/toast.tsx', () => ({ toast: vi.fn() }))

const { LinkLifetimeSection } = await import('./link-lifetime-section.tsx')

beforeEach(() => localStorage.clear())
afterEach(cleanup)

describe('LinkLifetimeSection', () => {
  it('offers lifetimes up to the plan’s maximum and keeps the choice for the job page', async () => {
    session.plan = 'free'
    render(<LinkLifetimeSection />)
    const select = screen.getByLabelText('Links work for') as HTMLSelectElement
    expect([...select.options].map((o) => o.textContent)).toEqual(['1 hour', '6 hours', '1 day'])
    expect(select.value).toBe('3600')
    fireEvent.change(select, { target: { value: '86400' } })
    const { linkLifetime } = await import('../../app/link-lifetime.ts')
    expect(linkLifetime('free')).toBe(86_400)
  })

  it('offers a week on paid plans', () => {
    session.plan = 'pro'
    render(<LinkLifetimeSection />)
    const select = screen.getByLabelText('Links work for') as HTMLSelectElement
    expect([...select.options].map((o) => o.textContent).at(-1)).toBe('7 days')
  })
})
