import { useEffect, useRef } from 'react'

/** How often a queued job's place in line is read again (no event says it moved up). */
export const QUEUE_REFRESH_MS = 15_000

/**
 * Calls `refresh` every {@link QUEUE_REFRESH_MS} while `queued` (a job on screen waits in line)
 * and the page is visible; at once when the page shows again, as the line moved meanwhile.
 * A job's place changes as others start or leave, which the event stream does not report.
 *
 * @example
 * useRefreshWhileQueued(jobs.some((job) => job.status === 'queued'), () => void liveJobs.reload())
 */
export function useRefreshWhileQueued(queued: boolean, refresh: () => void): void {
  const latest = useRef(refresh)
  useEffect(() => {
    latest.current = refresh
  })

  useEffect(() => {
    if (!queued) return
    let timer: ReturnType<typeof setInterval> | undefined
    const start = () => {
      timer ??= setInterval(() => latest.current(), QUEUE_REFRESH_MS)
    }
    const stop = () => {
      clearInterval(timer)
      timer = undefined
    }
    const onVisibility = () => {
      if (document.visibilityState !== 'visible') return stop()
      if (timer !== undefined) return
      latest.current()
      start()
    }
    if (document.visibilityState === 'visible') start()
    document.addEventListener('visibilitychange', onVisibility)
    return () => {
      stop()
      document.removeEventListener('visibilitychange', onVisibility)
    }
  }, [queued])
}
