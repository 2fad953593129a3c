// How long link lists' links may live. No zod here: the web app's job page and settings read
// these without loading the schemas.
import type { PlanId } from './schemas/plan.ts'

/** The shortest lifetime a link list may ask for (seconds). */
export const MIN_LINK_LIFETIME_SECONDS = 5 * 60
/** What a link list's links live when the request does not say (the single link's hour). */
export const DEFAULT_LINK_LIFETIME_SECONDS = 60 * 60

/**
 * The longest a link list's links may live, by plan (a constant, not a plan column: it changes
 * with the product, not per deployment). A long-lived link is a capability that outlives a
 * revoked session, so paid plans get a week and Free a day.
 */
export const MAX_LINK_LIFETIME_SECONDS: Readonly<Record<PlanId, number>> = {
  free: 24 * 60 * 60,
  pro: 7 * 24 * 60 * 60,
  business: 7 * 24 * 60 * 60,
  enterprise: 7 * 24 * 60 * 60,
}

const CHOICES = [60 * 60, 6 * 60 * 60, 24 * 60 * 60, 3 * 24 * 60 * 60, 7 * 24 * 60 * 60]

/** The lifetimes the web app offers on `plan` (seconds), shortest first. */
export function linkLifetimeChoices(plan: PlanId): number[] {
  return CHOICES.filter((s) => s <= MAX_LINK_LIFETIME_SECONDS[plan])
}

/** A lifetime in words: `1 hour`, `6 hours`, `1 day`, `3 days`, or seconds. */
export function formatLifetime(seconds: number): string {
  const [unit, size] =
    seconds % 86_400 === 0
      ? ['day', 86_400]
      : seconds % 3600 === 0
        ? ['hour', 3600]
        : ['minute', 60]
  const n = Math.round(seconds / size)
  return `${n} ${unit}${n === 1 ? '' : 's'}`
}
