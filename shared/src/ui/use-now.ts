import { useEffect, useState } from 'react'

/**
 * The time now, re-read every `everyMs` while `ticking`, so texts counted from it (how long a
 * job has waited, when it is tried again) move on between events. Stopped, it costs no timer.
 *
 * @example
 * const now = useNow(isWaiting(job))
 */
export function useNow(ticking: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    if (!ticking) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(timer)
  }, [ticking, everyMs])
  return now
}
