// The popup's job list: the cached list at once, then the server's list, then live events
// until the popup closes. Reconnects with a backoff when the stream drops.
import { ApiError, emptyLiveJobs, isUnknownJob, type Job, reduceLiveJobs } from '@tseeder/shared'
import { useEffect, useReducer, useRef, useState } from 'react'
import { describeFailure } from '../failures.ts'
import { markRevoked } from '../jobs-poller.ts'
import { readUserEvents } from '../live-stream.ts'
import { clientFor } from '../server.ts'
import { type Connection, jobCacheItem, type JobCache } from '../storage.ts'

export type Freshness =
  | { state: 'cached' }
  | { state: 'live' }
  | { state: 'reconnecting'; message: string }
  | { state: 'error'; message: string }

export interface LiveJobsView {
  jobs: Job[]
  /** False until the cache or the server gave a list. */
  loaded: boolean
  freshness: Freshness
}

const MAX_BACKOFF_MS = 15_000

export function useLiveJobs(connection: Connection, cache: JobCache | null): LiveJobsView {
  const cached = cache?.serverUrl === connection.serverUrl ? cache.jobs : null
  const [state, dispatch] = useReducer(reduceLiveJobs, emptyLiveJobs, (initial) =>
    cached ? reduceLiveJobs(initial, { type: 'reset', jobs: cached }) : initial,
  )
  const [loaded, setLoaded] = useState(cached !== null)
  const [freshness, setFreshness] = useState<Freshness>({ state: 'cached' })
  const jobsRef = useRef(state)
  jobsRef.current = state

  const { serverUrl, token } = connection
  useEffect(() => {
    const controller = new AbortController()
    const { signal } = controller
    const api = clientFor({ serverUrl, token })

    async function refreshList() {
      const { jobs } = await api.listJobs({ query: { limit: 100 } }, { signal })
      dispatch({ type: 'reset', jobs })
      setLoaded(true)
      await jobCacheItem.setValue({ serverUrl, jobs, fetchedAt: new Date().toISOString() })
    }

    async function fetchNewJob(id: string) {
      try {
        const { files: _files, ...job } = await api.getJob({ params: { id } }, { signal })
        dispatch({ type: 'upsert', job })
      } catch {
        // The next list refresh picks it up.
      }
    }

    async function run() {
      let attempt = 0
      while (!signal.aborted) {
        try {
          await refreshList()
          await readUserEvents(
            { serverUrl, token },
            {
              onOpen: () => {
                attempt = 0
                setFreshness({ state: 'live' })
              },
              onEvent: (event) => {
                if (isUnknownJob(jobsRef.current, event.jobId)) void fetchNewJob(event.jobId)
                dispatch({ type: 'event', event })
              },
            },
            signal,
          )
        } catch (error) {
          if (signal.aborted) return
          const failure = describeFailure(error, serverUrl)
          if (failure.kind === 'revoked' || (error instanceof ApiError && error.status === 401)) {
            await markRevoked()
            return
          }
          setFreshness(
            attempt === 0
              ? { state: 'reconnecting', message: failure.message }
              : { state: 'error', message: failure.message },
          )
        }
        if (signal.aborted) return
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt++)
        await new Promise((resolve) => setTimeout(resolve, delay))
      }
    }

    void run()
    return () => controller.abort()
  }, [serverUrl, token])

  return { jobs: state.jobs, loaded, freshness }
}
