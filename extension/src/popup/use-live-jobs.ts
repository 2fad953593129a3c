// The popup's job list: the cached list at once, then the server's list, then live events
// until the popup closes. Reconnects with a backoff when the stream drops.
import {
  ApiError,
  fetchStreamTransport,
  type Job,
  LiveJobsClient,
  type LiveJobsAction,
  parseJobEvent,
  streams,
} from '@tseeder/shared'
import { useEffect, useState, useSyncExternalStore } from 'react'
import { describeFailure } from '../failures.ts'
import { markRevoked } from '../jobs-poller.ts'
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
  /** Applies a change the popup made (an action's answer) before the stream reports it. */
  dispatch(action: LiveJobsAction): void
}

const MAX_BACKOFF_MS = 15_000

export function useLiveJobs(connection: Connection, cache: JobCache | null): LiveJobsView {
  const { serverUrl, token } = connection
  const cached = cache?.serverUrl === serverUrl ? cache.jobs : null
  const [loaded, setLoaded] = useState(cached !== null)
  const [freshness, setFreshness] = useState<Freshness>({ state: 'cached' })
  // The popup mounts this once per connection (keyed by server and token), so one client.
  const [{ client, controller }] = useState(() => {
    const controller = new AbortController()
    const { signal } = controller
    const api = clientFor({ serverUrl, token })
    const client: LiveJobsClient = new LiveJobsClient({
      // EventSource cannot send the bearer token: the stream is read with fetch.
      transport: fetchStreamTransport(
        (streamSignal) =>
          fetch(serverUrl + streams.userEvents.path, {
            headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
            signal: streamSignal,
          }),
        parseJobEvent,
      ),
      getJob: (id) => api.getJob({ params: { id } }, { signal }),
      async resync() {
        const { jobs } = await api.listJobs({ query: { limit: 100 } }, { signal })
        client.dispatch({ type: 'reset', jobs })
        setLoaded(true)
        await jobCacheItem.setValue({ serverUrl, jobs, fetchedAt: new Date().toISOString() })
      },
      isFatal: (error) =>
        describeFailure(error, serverUrl).kind === 'revoked' ||
        (error instanceof ApiError && error.status === 401),
      onFatal: () => void markRevoked(),
      onOpen: () => setFreshness({ state: 'live' }),
      onFailure(error, failures) {
        const { message } = describeFailure(error, serverUrl)
        setFreshness(
          failures === 0 ? { state: 'reconnecting', message } : { state: 'error', message },
        )
      },
      initial: cached ?? undefined,
      maxBackoffMs: MAX_BACKOFF_MS,
    })
    return { client, controller }
  })

  useEffect(() => {
    client.start()
    return () => {
      controller.abort()
      client.stop()
    }
  }, [client, controller])

  // The same snapshot serves a server render: tests paint the popup from its cache that way.
  const { live } = useSyncExternalStore(client.subscribe, client.getSnapshot, client.getSnapshot)
  return { jobs: live.jobs, loaded, freshness, dispatch: (action) => client.dispatch(action) }
}
