import { describe, expect, it } from 'vitest'
import { safeNext } from './safe-next.ts'

describe('safeNext', () => {
  it('keeps a path on this site with its query', () => {
    expect(safeNext('/jobs/abc?tab=files')).toBe('/jobs/abc?tab=files')
  })

  it('falls back to the dashboard for a missing value', () => {
    expect(safeNext(null)).toBe('/')
  })

  it('refuses other origins, protocol-relative and scripted targets', () => {
    expect(safeNext('https://evil.example/')).toBe('/')
    expect(safeNext('//evil.example/')).toBe('/')
    expect(safeNext('/\\evil.example')).toBe('/')
    expect(safeNext('javascript:alert(1)')).toBe('/')
  })
})
