import {
  DEFAULT_LINK_LIFETIME_SECONDS,
  MAX_LINK_LIFETIME_SECONDS,
  MIN_LINK_LIFETIME_SECONDS,
  type PlanId,
} from '@tseeder/shared'

const KEY = 'tseeder.linkLifetimeSeconds'

/**
 * How long the links of "Copy all links" and the aria2/curl lists live, as chosen in Settings
 * (kept in this browser), within the plan's maximum.
 */
export function linkLifetime(plan: PlanId): number {
  const stored = Number(localStorage.getItem(KEY))
  const chosen =
    Number.isInteger(stored) && stored >= MIN_LINK_LIFETIME_SECONDS
      ? stored
      : DEFAULT_LINK_LIFETIME_SECONDS
  return Math.min(chosen, MAX_LINK_LIFETIME_SECONDS[plan])
}

export function setLinkLifetime(seconds: number): void {
  localStorage.setItem(KEY, String(seconds))
}
