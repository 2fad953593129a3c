import dgram from 'node:dgram'
import { lookup } from 'node:dns/promises'
import net, { isIP } from 'node:net'
import tls from 'node:tls'
import { isPrivateAddress } from './network-address.ts'

export interface ResolvedAddress {
  address: string
  family: number
}

/** Resolves a host name to every address it has (tests inject one that answers what they need). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>

/** What an undici dispatcher offers; the tracker client hands it to `fetch`. */
export interface Dispatcher {
  dispatch(options: object, handler: object): boolean
  close(): Promise<void>
  destroy(): Promise<void>
}

interface ConnectOptions {
  hostname: string
  protocol: string
  port: string | number
}
type ConnectCallback = (error: Error | null, socket: net.Socket | null) => void

const DNS_TIMEOUT_MS = 3000
const CONNECT_TIMEOUT_MS = 10_000

export const systemResolver: Resolver = (host) =>
  Promise.race([
    lookup(host, { all: true, verbatim: true }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('DNS timeout')), DNS_TIMEOUT_MS).unref(),
    ),
  ])

export class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError'
  readonly code = 'ERR_FORBIDDEN_ADDRESS'
}

/**
 * Node's `fetch` is undici, which Node does not export (and the agent does not depend on the
 * undici package). Node's undici registers its global dispatcher, an undici `Agent`, under this
 * cross-version key when it loads; a new instance of that class takes our own connector.
 */
function undiciAgentClass(): new (options: { connect: unknown }) => Dispatcher {
  const key = Symbol.for('undici.globalDispatcher.1')
  const global = globalThis as unknown as Record<symbol, { constructor?: unknown } | undefined>
  if (!global[key]) new Headers() // loads Node's undici, which sets the key
  const ctor = global[key]?.constructor as (new (o: object) => Dispatcher) | undefined
  if (typeof ctor?.prototype?.dispatch !== 'function') {
    throw new Error("Node's fetch dispatcher is not available: tracker requests cannot be checked")
  }
  return ctor
}

const isRedirect = (status: number) => status >= 300 && status < 400

/**
 * A response handler that sees a redirect without its `Location`: `fetch` then returns the 3xx
 * instead of following it, and the tracker client reports a non-200 answer. A public tracker can
 * so not send the agent on to another address (or another check).
 */
function withoutRedirects(handler: object): object {
  const h = handler as {
    onHeaders?: (status: number, raw: Buffer[], ...rest: unknown[]) => unknown
    onResponseStart?: (c: unknown, status: number, headers: object, ...rest: unknown[]) => unknown
  }
  const wrapped = Object.create(handler) as typeof h
  if (h.onHeaders) {
    const onHeaders = h.onHeaders
    wrapped.onHeaders = function (status, raw, ...rest) {
      const headers = isRedirect(status) ? withoutLocationPairs(raw) : raw
      return onHeaders.call(this, status, headers, ...rest)
    }
  }
  if (h.onResponseStart) {
    const onResponseStart = h.onResponseStart
    wrapped.onResponseStart = function (controller, status, headers, ...rest) {
      if (!isRedirect(status))
        return onResponseStart.call(this, controller, status, headers, ...rest)
      const { location: _location, ...others } = headers as Record<string, unknown>
      return onResponseStart.call(this, controller, status, others, ...rest)
    }
  }
  return wrapped
}

/** Raw headers (name, value, name, value…) without the `Location` pair. */
function withoutLocationPairs(raw: Buffer[]): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (String(raw[i]).toLowerCase() === 'location') continue
    out.push(raw[i]!, raw[i + 1]!)
  }
  return out
}

/**
 * Enforces the network policy on every connection the torrent engine opens, at the moment it is
 * opened: a name is resolved by the guard, refused if ANY of its addresses is private (so a
 * second lookup cannot pick the private one), and the socket goes to the address that was
 * checked (no lookup in between for DNS rebinding to use). Tracker HTTP requests, DHT packets
 * and peers each go through it; see {@link WebTorrentEngine}.
 */
export class NetworkGuard {
  readonly resolve: Resolver
  readonly forbidden: (address: string) => boolean

  constructor(
    options: {
      resolve?: Resolver
      /** Tests narrow it so that a 127.0.0.1 server can stand in for a public one. */
      forbidden?: (address: string) => boolean
    } = {},
  ) {
    this.resolve = options.resolve ?? systemResolver
    this.forbidden = options.forbidden ?? isPrivateAddress
  }

  /** Every address of `host` (a name or an address), or a refusal naming the first bad one. */
  async resolvePublic(host: string): Promise<ResolvedAddress[]> {
    const bare = host.replace(/^\[|\]$/g, '')
    const family = isIP(bare)
    const addresses = family
      ? [{ address: bare, family }]
      : bare === 'localhost' || bare.endsWith('.localhost')
        ? [{ address: '127.0.0.1', family: 4 }]
        : await this.resolve(bare).catch(() => [])
    if (!addresses.length) throw new Error('does not resolve')
    const bad = addresses.find((a) => !isIP(a.address) || this.forbidden(a.address))
    if (bad) {
      throw new ForbiddenAddressError(
        family ? 'private address' : `resolves to a private address (${bad.address})`,
      )
    }
    return addresses
  }

  /** webtorrent's `client.blocked`: asked for every peer, IPv4 or IPv6, before it is dialled. */
  readonly peerFilter = {
    contains: (host: string): boolean => !isIP(host) || this.forbidden(host),
  }

  /** The connector of the tracker dispatcher: resolve, check, connect to the checked address. */
  private readonly connect = (options: ConnectOptions, callback: ConnectCallback): void => {
    const secure = options.protocol === 'https:'
    const port = Number(options.port) || (secure ? 443 : 80)
    const hostname = options.hostname.replace(/^\[|\]$/g, '')
    this.resolvePublic(hostname).then(
      ([target]) => {
        const socket = secure
          ? tls.connect({
              host: target!.address,
              port,
              // The certificate is still checked against the name, not the address.
              ...(isIP(hostname) ? {} : { servername: hostname }),
              ALPNProtocols: ['http/1.1'],
            })
          : net.connect({ host: target!.address, port })
        const timer = setTimeout(
          () => socket.destroy(new Error('connect timed out')),
          CONNECT_TIMEOUT_MS,
        )
        const onError = (error: Error) => {
          clearTimeout(timer)
          callback(error, null)
        }
        socket.once('error', onError)
        socket.once(secure ? 'secureConnect' : 'connect', () => {
          clearTimeout(timer)
          socket.removeListener('error', onError)
          callback(null, socket)
        })
      },
      (error: Error) => callback(error, null),
    )
  }

  /**
   * The dispatcher for tracker `fetch`es (bittorrent-tracker passes `proxyOpts.httpAgent` as
   * `dispatcher`): every connection through {@link connect}, and redirects never followed.
   */
  trackerDispatcher(): Dispatcher {
    const Agent = undiciAgentClass()
    const agent = new Agent({ connect: this.connect })
    return {
      dispatch: (options, handler) => agent.dispatch(options, withoutRedirects(handler)),
      close: () => agent.close(),
      destroy: () => agent.destroy(),
    }
  }

  /**
   * The DHT's UDP socket. k-rpc resolves a node's name itself and sends to the address; every
   * send is checked here, so a DHT node on a private address (learnt from other nodes or from a
   * peer) gets no packet. A refused send fails like an unreachable node.
   */
  dhtSocket(): dgram.Socket {
    const socket = dgram.createSocket('udp4')
    const send = socket.send.bind(socket) as (...args: unknown[]) => void
    socket.send = ((...args: unknown[]) => {
      // send(msg, port, address, cb) or send(msg, offset, length, port, address, cb)
      const address = typeof args[2] === 'number' ? args[4] : args[2]
      if (typeof address !== 'string' || this.peerFilter.contains(address)) {
        const callback = args.at(-1)
        const error = new ForbiddenAddressError(`DHT node ${String(address)} is not public`)
        if (typeof callback === 'function') process.nextTick(callback, error)
        return
      }
      send(...args)
    }) as typeof socket.send
    return socket
  }
}
