/**
 * Which URLs a user's webhook may point at. The Worker POSTs to whatever is registered, so a
 * webhook is an outbound request a user chooses: without these rules it could reach 127.0.0.1, a
 * private network, a cloud metadata service. Only https URLs on public host names or public IP
 * addresses pass; they are checked at registration and again before every delivery (the rules
 * may have changed since). Names are not resolved here (a Worker cannot): in production,
 * Cloudflare does not let a Worker's fetch reach private addresses behind a public name.
 */

/** Host name endings that never name a public host (RFC 6761, 6762, 8375 and common practice). */
const PRIVATE_SUFFIXES = [
  'localhost',
  'local',
  'localdomain',
  'internal',
  'intranet',
  'lan',
  'home',
  'home.arpa',
  'corp',
  'private',
  'test',
  'example',
  'invalid',
  'arpa',
]

function ipv4Parts(host: string): number[] | null {
  const parts = host.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null
  const numbers = parts.map(Number)
  return numbers.every((n) => n <= 255) ? numbers : null
}

/** Loopback, private, link-local, shared (CGNAT), benchmarking, multicast and reserved ranges. */
function isNonPublicIpv4([a = 0, b = 0]: number[]): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  )
}

/** Only global unicast (2000::/3) is public; IPv4-mapped, 6to4 and NAT64 forms are refused. */
function isNonPublicIpv6(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (bare.includes('.') || bare.startsWith('64:ff9b') || bare.startsWith('2002:')) return true
  const first = parseInt(bare.split(':')[0] || '0', 16)
  return !(first >= 0x2000 && first <= 0x3fff)
}

export interface WebhookUrlRules {
  /**
   * Hosts allowed although they are not public, over http too: for local development and tests
   * only (the Worker var `WEBHOOK_LOCAL_HOSTS`); always empty in production.
   */
  localHosts: readonly string[]
}

/** The rules for this Worker: `WEBHOOK_LOCAL_HOSTS` counts only outside production. */
export function webhookUrlRules(
  env: Pick<Env, 'ENVIRONMENT' | 'WEBHOOK_LOCAL_HOSTS'>,
): WebhookUrlRules {
  if (env.ENVIRONMENT === 'production') return { localHosts: [] }
  const hosts = (env.WEBHOOK_LOCAL_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
  return { localHosts: hosts }
}

/**
 * Why `text` cannot be a webhook URL, in words for the person who typed it; null when it can.
 *
 * @example
 * webhookUrlProblem('http://example.com/hook', { localHosts: [] })
 * // 'must use https:// (http:// is not allowed)'
 */
export function webhookUrlProblem(text: string, rules: WebhookUrlRules): string | null {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'must be a full URL such as https://example.com/hook'
  }
  const host = url.hostname.toLowerCase()
  const local = rules.localHosts.includes(host)
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
    return `must use https:// (${url.protocol}// is not allowed)`
  }
  if (url.username || url.password) return 'must not contain a user name or password'
  if (local) return null
  const v4 = ipv4Parts(host)
  if (v4) return isNonPublicIpv4(v4) ? `points at a private or reserved address (${host})` : null
  if (host.startsWith('[')) {
    return isNonPublicIpv6(host) ? `points at a private or reserved address (${host})` : null
  }
  const name = host.replace(/\.$/, '')
  if (!name.includes('.')) return `must name a public host (${host} is not one)`
  if (PRIVATE_SUFFIXES.some((s) => name === s || name.endsWith(`.${s}`))) {
    return `must name a public host (${host} is a local or reserved name)`
  }
  return null
}
