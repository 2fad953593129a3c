import { useOffline } from '../app/offline.ts'

/** "Offline — showing data from HH:MM" while the network is down or answers come from the cache. */
export function OfflineBanner() {
  const { online, cachedAt } = useOffline()
  if (online && cachedAt === null) return null
  return (
    <div className="banner banner-offline" role="status">
      <span className="banner-dot" aria-hidden="true" />
      {cachedAt !== null
        ? `Offline — showing data from ${formatClock(cachedAt)}`
        : 'Offline — changes will wait until you are back online'}
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
