import { useOffline } from '../app/offline.ts'

/**
 * While the network is down or answers come from the cache: how old what is on screen is, and
 * that actions wait for the connection (they are disabled, not queued).
 */
export function OfflineBanner() {
  const { online, cachedAt, offlineSince } = useOffline()
  if (online && cachedAt === null) return null
  const asOf = cachedAt ?? offlineSince
  return (
    <div className="banner banner-offline" role="status">
      <span className="banner-dot" aria-hidden="true" />
      {asOf !== null
        ? `Offline — showing data from ${formatClock(asOf)}. Actions need a connection.`
        : 'Offline — what is shown may be out of date. Actions need a connection.'}
    </div>
  )
}

/** HH:MM in the user's locale (a date first when the data is not from today). */
function formatClock(at: number, now = Date.now()): string {
  const date = new Date(at)
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
  if (new Date(now).toDateString() === date.toDateString()) return time
  return `${date.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} ${time}`
}
