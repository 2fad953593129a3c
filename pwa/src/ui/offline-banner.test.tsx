import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { isStale } from '../app/offline.ts'
import { OfflineBanner } from './offline-banner.tsx'

afterEach(() => {
  act(() => void window.dispatchEvent(new Event('online')))
  cleanup()
})

describe('OfflineBanner', () => {
  it('says from when the data on screen is and that actions need a connection', () => {
    render(<OfflineBanner />)
    expect(screen.queryByRole('status')).toBeNull()
    act(() => void window.dispatchEvent(new Event('offline')))
    expect(screen.getByRole('status').textContent).toMatch(
      /^Offline — showing data from .*\d{1,2}:\d{2}.*\. Actions need a connection\.$/,
    )
  })
})

describe('isStale', () => {
  it('counts cached answers as stale even when the browser says it is online', () => {
    expect(isStale({ online: true, cachedAt: null, offlineSince: null })).toBe(false)
    expect(isStale({ online: true, cachedAt: 1, offlineSince: null })).toBe(true)
    expect(isStale({ online: false, cachedAt: null, offlineSince: 1 })).toBe(true)
  })
})
