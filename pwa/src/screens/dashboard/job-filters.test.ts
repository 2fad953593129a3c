import { describe, expect, it } from 'vitest'
import { matchesSearch } from './job-filters.ts'

describe('matchesSearch', () => {
  it('matches every word in any order, ignoring case', () => {
    expect(matchesSearch({ name: 'Ubuntu 24.04 Desktop' }, 'desktop ubuntu')).toBe(true)
  })

  it('rejects a name missing one of the words', () => {
    expect(matchesSearch({ name: 'Ubuntu 24.04 Desktop' }, 'ubuntu server')).toBe(false)
  })

  it('matches everything for an empty query', () => {
    expect(matchesSearch({ name: 'x' }, '   ')).toBe(true)
  })
})
