import { renderHook } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { QUEUE_REFRESH_MS, useRefreshWhileQueued } from './queue-refresh.ts'

let visibility: DocumentVisibilityState = 'visible'

function setVisibility(next: DocumentVisibilityState) {
  visibility = next
  document.dispatchEvent(new Event('visibilitychange'))
}

beforeEach(() => {
  vi.useFakeTimers()
  visibility = 'visible'
  vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility)
})
afterEach(() => vi.useRealTimers())

describe('useRefreshWhileQueued', () => {
  it('refreshes every 15 s while a shown job is queued, and stops once none is', () => {
    const refresh = vi.fn()
    const { rerender, unmount } = renderHook(
      ({ queued }) => useRefreshWhileQueued(queued, refresh),
      { initialProps: { queued: true } },
    )
    vi.advanceTimersByTime(QUEUE_REFRESH_MS - 1)
    expect(refresh).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(refresh).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(QUEUE_REFRESH_MS)
    expect(refresh).toHaveBeenCalledTimes(2)
    rerender({ queued: false })
    vi.advanceTimersByTime(QUEUE_REFRESH_MS * 3)
    expect(refresh).toHaveBeenCalledTimes(2)
    unmount()
  })

  it('does not refresh while the page is hidden, and catches up when it shows again', () => {
    const refresh = vi.fn()
    const { unmount } = renderHook(() => useRefreshWhileQueued(true, refresh))
    setVisibility('hidden')
    vi.advanceTimersByTime(QUEUE_REFRESH_MS * 4)
    expect(refresh).not.toHaveBeenCalled()
    setVisibility('visible')
    expect(refresh).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(QUEUE_REFRESH_MS)
    expect(refresh).toHaveBeenCalledTimes(2)
    unmount()
    vi.advanceTimersByTime(QUEUE_REFRESH_MS * 2)
    expect(refresh).toHaveBeenCalledTimes(2)
  })

  it('never refreshes when no job is queued', () => {
    const refresh = vi.fn()
    renderHook(() => useRefreshWhileQueued(false, refresh))
    setVisibility('visible')
    vi.advanceTimersByTime(QUEUE_REFRESH_MS * 4)
    expect(refresh).not.toHaveBeenCalled()
  })
})
