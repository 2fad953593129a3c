import { describe, expect, it } from 'vitest'
import { monthName } from './account-section.tsx'

describe('monthName', () => {
  it('reads a billing period as a month and year', () => {
    expect(monthName('2026-11')).toMatch(/2026/)
    expect(monthName('2026-11')).not.toBe('2026-11')
  })

  it('keeps a period it cannot read as it is', () => {
    expect(monthName('soon')).toBe('soon')
  })
})
