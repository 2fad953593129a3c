const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' })

/** Seconds elapsed since an API timestamp. */
export function ageSeconds(iso: string, now = Date.now()): number {
  return Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000))
}

/** "12 seconds ago", "3 minutes ago", "2 days ago". */
export function formatAge(iso: string, now = Date.now()): string {
  const seconds = ageSeconds(iso, now)
  if (seconds < 60) return relative.format(-seconds, 'second')
  if (seconds < 3600) return relative.format(-Math.floor(seconds / 60), 'minute')
  if (seconds < 86400) return relative.format(-Math.floor(seconds / 3600), 'hour')
  return relative.format(-Math.floor(seconds / 86400), 'day')
}

/** An API timestamp in the reader's local date and time. */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso))
}
