export const SECOND = 1000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** Unix milliseconds (as stored in D1) to the API's ISO strings. */
export function iso(ms: number): string
export function iso(ms: number | null): string | null
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

/** The UTC month `YYYY-MM` that bandwidth counts toward. */
export function billingPeriod(ms = Date.now()): string {
  return new Date(ms).toISOString().slice(0, 7)
}

export function encodeCursor(parts: (string | number)[]): string {
  return btoa(JSON.stringify(parts)).replace(/=+$/, '')
}

/** Decodes a cursor made by {@link encodeCursor}; null when it was tampered with. */
export function decodeCursor(cursor: string | undefined): (string | number)[] | null {
  if (!cursor) return null
  try {
    const parts: unknown = JSON.parse(atob(cursor))
    return Array.isArray(parts) &&
      parts.every((p) => typeof p === 'string' || typeof p === 'number')
      ? parts
      : null
  } catch {
    return null
  }
}
