const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const

/**
 * Decimal units, as the plans are priced (1 GB = 10^9 bytes).
 *
 * @example formatBytes(1_500_000) // "1.5 MB"
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—'
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000
    unit++
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2
  return `${Number(value.toFixed(digits))} ${BYTE_UNITS[unit]}`
}

/** @example formatSpeed(2_400_000) // "2.4 MB/s" */
export function formatSpeed(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '0 B/s'
  return `${formatBytes(bytesPerSecond)}/s`
}

/**
 * Two most significant units; `null` (unknown) reads as an em dash.
 *
 * @example formatEta(3725) // "1h 2m"
 */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return '—'
  }
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  const units: [number, string][] = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ]
  const first = units.findIndex(([n]) => n > 0)
  return units
    .slice(first, first + 2)
    .filter(([n], i) => i === 0 || n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join(' ')
}

/** @example formatPercent(42.456) // "42.5%" */
export function formatPercent(pct: number): string {
  if (!Number.isFinite(pct)) return '—'
  const clamped = Math.min(100, Math.max(0, pct))
  return `${clamped === 100 || clamped === 0 ? clamped : clamped.toFixed(1)}%`
}

const ORDINAL_SUFFIXES: Record<Intl.LDMLPluralRule, string> = {
  zero: 'th',
  one: 'st',
  two: 'nd',
  few: 'rd',
  many: 'th',
  other: 'th',
}
const ordinalRules = new Intl.PluralRules('en', { type: 'ordinal' })

/**
 * A place in a line, as the English texts around it read it.
 *
 * @example formatOrdinal(3) // "3rd"
 */
export function formatOrdinal(place: number): string {
  return `${place}${ORDINAL_SUFFIXES[ordinalRules.select(place)]}`
}

export interface ClockTimeOptions {
  /** Defaults to the reader's language. */
  locale?: string
  /** Defaults to the reader's time zone. */
  timeZone?: string
}

const WEEK_MS = 7 * 86_400_000

/**
 * A moment as a wall clock shows it: the time alone today, with the weekday within a week,
 * with the date beyond. `now` decides what "today" is, so the text is a pure function of it.
 *
 * @example formatClockTime('2026-11-27T16:40:00Z', now) // "16:40" or "4:40 PM"
 */
export function formatClockTime(
  iso: string,
  now: number,
  { locale, timeZone }: ClockTimeOptions = {},
): string {
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return '—'
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(at)
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeZone })
  if (day.format(at) === day.format(new Date(now))) return time
  const nearby = Math.abs(at.getTime() - now) < WEEK_MS - 86_400_000
  const date = new Intl.DateTimeFormat(
    locale,
    nearby ? { weekday: 'short', timeZone } : { day: 'numeric', month: 'short', timeZone },
  ).format(at)
  return `${date} ${time}`
}
