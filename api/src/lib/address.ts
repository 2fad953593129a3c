/**
 * The part of a client address that one party controls, for per-address limits: an IPv4 address
 * whole, an IPv6 address by its /64 prefix (one subscriber or host gets a whole /64 and can pick
 * any address in it, so a per-address limit on full IPv6 addresses limits nothing). An
 * IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is its IPv4 address. Anything unparsable is kept
 * as it is, lower-cased.
 */
export function limitAddress(address: string): string {
  const lower = address.trim().toLowerCase()
  if (!lower.includes(':')) return lower
  const groups = ipv6Groups(lower)
  if (!groups) return lower
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff
  if (mapped)
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.')
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address (zone index dropped), or null if it is not one. */
function ipv6Groups(address: string): number[] | null {
  const [text] = address.split('%')
  const halves = text!.split('::')
  if (halves.length > 2) return null
  const parse = (part: string): number[] | null => {
    if (part === '') return []
    const groups: number[] = []
    const pieces = part.split(':')
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const octets = piece.split('.').map((o) => (/^\d{1,3}$/.test(o) ? Number(o) : NaN))
        if (octets.length !== 4 || octets.some((o) => !(o <= 255))) return null
        groups.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!)
      } else if (/^[0-9a-f]{1,4}$/.test(piece)) groups.push(parseInt(piece, 16))
      else return null
    }
    return groups
  }
  const head = parse(halves[0]!)
  const tail = halves.length === 2 ? parse(halves[1]!) : []
  if (!head || !tail) return null
  if (halves.length === 1) return head.length === 8 ? head : null
  const missing = 8 - head.length - tail.length
  return missing < 1 ? null : [...head, ...Array<number>(missing).fill(0), ...tail]
}
