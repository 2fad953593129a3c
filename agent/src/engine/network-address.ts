import { BlockList, isIP } from 'node:net'

/**
 * Which addresses a torrent may make the agent contact. Loopback, private and link-local
 * addresses (cloud metadata at 169.254.169.254) are the agent's own network: a torrent naming
 * them as tracker, web seed or peer is a server-side request forgery.
 */
const PRIVATE_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
]
// `::/96` holds `::`, `::1` and the old IPv4-compatible form; the others are unique local,
// link-local, site-local, multicast, discard, documentation and local-use NAT64 ranges.
const PRIVATE_V6 = [
  '::/96',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
  '100::/64',
  '2001:db8::/32',
  '64:ff9b:1::/48',
]

const privateAddresses = new BlockList()
for (const range of PRIVATE_V4) {
  const [net, prefix] = range.split('/')
  privateAddresses.addSubnet(net!, Number(prefix), 'ipv4')
}
for (const range of PRIVATE_V6) {
  const [net, prefix] = range.split('/')
  privateAddresses.addSubnet(net!, Number(prefix), 'ipv6')
}

/** The 16 bytes of an IPv6 address (any spelling: URL parsing canonicalises it). */
function ipv6Bytes(address: string): number[] | null {
  let host: string
  try {
    host = new URL(`http://[${address}]/`).hostname.slice(1, -1)
  } catch {
    return null
  }
  const hextets = (part: string) => (part ? part.split(':').map((h) => parseInt(h, 16)) : [])
  const [head = '', tail] = host.split('::')
  const left = hextets(head)
  const right = tail === undefined ? [] : hextets(tail)
  const groups = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right]
  return groups.flatMap((g) => [g >> 8, g & 255])
}

/**
 * The IPv4 address an IPv6 address stands for, where the network delivers it there: mapped and
 * translated forms (`::ffff:a.b.c.d`, `::ffff:0:a.b.c.d`), NAT64 (`64:ff9b::/96`, which a NAT64
 * gateway turns into the IPv4 address) and 6to4 (`2002:AABB:CCDD::/48`).
 */
function embeddedIPv4(bytes: number[]): string | null {
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0)
  const v4 = (at: number) => bytes.slice(at, at + 4).join('.')
  if (zero(0, 10) && bytes[10] === 255 && bytes[11] === 255) return v4(12)
  if (zero(0, 8) && bytes[8] === 255 && bytes[9] === 255 && zero(10, 12)) return v4(12)
  if (bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(0, 1) && zero(4, 12)) {
    return v4(12)
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4(2)
  return null
}

/**
 * True for an address the agent must not contact on a torrent's behalf: loopback, private,
 * shared, link-local (169.254.169.254, fe80::), unique local (fc00::/7), multicast, reserved,
 * and any IPv6 form that carries such an IPv4 address. Also true for a scoped address (`%eth0`:
 * link-local by nature). False for a public address and for anything that is not an address.
 */
export function isPrivateAddress(address: string): boolean {
  if (address.includes('%')) return isIP(address.split('%')[0]!) !== 0
  const family = isIP(address)
  if (family === 4) return privateAddresses.check(address, 'ipv4')
  if (family !== 6) return false
  const bytes = ipv6Bytes(address)
  if (!bytes) return true
  const v4 = embeddedIPv4(bytes)
  if (v4) return isPrivateAddress(v4)
  return privateAddresses.check(address, 'ipv6')
}
