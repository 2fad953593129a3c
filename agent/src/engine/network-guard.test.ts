import dgram from 'node:dgram'
import type { EventEmitter } from 'node:events'
import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import decodeMagnet from 'magnet-uri'
import { afterEach, describe, expect, it } from 'vitest'
import { buildTorrent, content } from '@tseeder/testkit/fixtures'
import { tempDir } from '@tseeder/testkit/wait'
import { NetworkGuard, type ResolvedAddress } from './network-guard.ts'
import { isPrivateAddress, withPublicEndpoints } from './network-policy.ts'
import { policyEngine } from './policy-engine.ts'
import type { WebTorrentEngine } from './webtorrent-engine.ts'

// Every test only ever contacts 127.0.0.1. Where a server must pass for a public one, the guard's
// classifier is narrowed to let exactly 127.0.0.1 through; the policy is otherwise the real one.
const PUBLIC = '93.184.216.34'
const loopbackIsPublic = (address: string) => address !== '127.0.0.1' && isPrivateAddress(address)
const v4 = (address: string): ResolvedAddress => ({ address, family: 4 })

interface Counted {
  url: string
  hits: string[]
}
const servers: Server[] = []
async function serve(answer: (hit: number) => { status: number; location?: string }) {
  const counted: Counted = { url: '', hits: [] }
  const server = createServer((req, res) => {
    counted.hits.push(req.url ?? '')
    const { status, location } = answer(counted.hits.length)
    res.writeHead(status, location ? { location } : {}).end('d8:intervali60e5:peers0:e')
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  counted.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return counted
}

let engine: WebTorrentEngine | null = null
afterEach(async () => {
  await engine?.destroy()
  engine = null
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

function engineWith(guard: NetworkGuard): WebTorrentEngine {
  engine = policyEngine(guard)
  return engine
}

/** Adds a torrent announcing to `announce` and waits for its first tracker warning. */
async function announceTo(e: WebTorrentEngine, announce: string): Promise<string> {
  const fixture = buildTorrent({
    name: 'tracked',
    files: [{ segments: ['a.bin'], data: content(1024) }],
    announce,
  })
  const job = e.add('job-tracked', { torrent: fixture.torrent }, await tempDir('tracked'))
  const internal = (job as unknown as { torrent: EventEmitter }).torrent
  return new Promise((resolve) => internal.once('warning', (w: Error) => resolve(w.message)))
}

describe('NetworkGuard', () => {
  it('refuses a name when any of its addresses is private, and a private address outright', async () => {
    const guard = new NetworkGuard({
      resolve: async (host) =>
        host === 'mixed.test' ? [v4(PUBLIC), v4('10.0.0.7')] : [v4(PUBLIC)],
    })
    await expect(guard.resolvePublic('mixed.test')).rejects.toThrow(
      /private address \(10\.0\.0\.7\)/,
    )
    await expect(guard.resolvePublic('[fd00::1]')).rejects.toThrow(/private/)
    await expect(guard.resolvePublic('::ffff:169.254.169.254')).rejects.toThrow(/private/)
    await expect(guard.resolvePublic('localhost')).rejects.toThrow(/private/)
    expect(await guard.resolvePublic('public.test')).toEqual([v4(PUBLIC)])
  })

  it('connects a tracker request to the address it checked: a name that rebinds to 127.0.0.1 gets no request', async () => {
    const tracker = await serve(() => ({ status: 200 }))
    const port = new URL(tracker.url).port
    let lookups = 0
    // Public when the torrent is checked, loopback when the request connects: DNS rebinding.
    const guard = new NetworkGuard({
      resolve: async () => [v4(++lookups === 1 ? PUBLIC : '127.0.0.1')],
    })
    const announce = `http://rebind.test:${port}/announce`
    const magnet = `magnet:?xt=urn:btih:${'a'.repeat(40)}&tr=${encodeURIComponent(announce)}`
    const { source } = await withPublicEndpoints({ magnet }, guard)
    expect(decodeMagnet((source as { magnet: string }).magnet).announce).toEqual([announce])
    const dispatcher = guard.trackerDispatcher()
    const refused = await fetch(announce, { dispatcher } as RequestInit).catch((e: Error) => e)
    expect((refused as Error & { cause?: Error }).cause?.message).toMatch(/private address/)
    const direct = await fetch(`${tracker.url}/announce`, { dispatcher } as RequestInit).catch(
      (e: Error) => e,
    )
    expect((direct as Error & { cause?: Error }).cause?.message).toMatch(/private address/)
    expect(tracker.hits).toEqual([])
    await dispatcher.destroy()
  })

  it('does not follow a redirect from a tracker, wherever it points', async () => {
    const inside = await serve(() => ({ status: 200 }))
    const tracker = await serve(() => ({ status: 302, location: `${inside.url}/latest/meta-data` }))
    const dispatcher = new NetworkGuard({ forbidden: loopbackIsPublic }).trackerDispatcher()
    const response = await fetch(`${tracker.url}/announce`, { dispatcher } as RequestInit)
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBeNull()
    expect(tracker.hits).toEqual(['/announce'])
    expect(inside.hits).toEqual([])
    await dispatcher.destroy()
  })

  it('refuses private peers, IPv6 ones included, and lets public IPv6 peers through', () => {
    const { peerFilter } = new NetworkGuard()
    for (const host of ['127.0.0.1', '::1', 'fd12::1', 'fe80::1', '::ffff:10.0.0.1', 'peer.test']) {
      expect(peerFilter.contains(host), host).toBe(true)
    }
    // webtorrent's own IPv4 blocklist read every IPv6 address as 0.0.0.x and refused it.
    for (const host of ['93.184.216.34', '2606:4700::1111']) {
      expect(peerFilter.contains(host), host).toBe(false)
    }
  })

  it('sends no DHT packet to a node on a private address', async () => {
    const node = dgram.createSocket('udp4')
    const received: Buffer[] = []
    node.on('message', (message) => received.push(message))
    await new Promise<void>((resolve) => node.bind(0, '127.0.0.1', resolve))
    const { port } = node.address()
    const send = (socket: dgram.Socket) =>
      new Promise<Error | null>((resolve) =>
        socket.send(Buffer.from('ping'), 0, 4, port, '127.0.0.1', (error) => resolve(error)),
      )
    const guarded = new NetworkGuard().dhtSocket()
    const loopbackAllowed = new NetworkGuard({ forbidden: loopbackIsPublic }).dhtSocket()
    try {
      expect((await send(guarded))?.message).toMatch(/not public/)
      expect(await send(loopbackAllowed)).toBeNull()
      await expect.poll(() => received.length).toBe(1)
    } finally {
      for (const socket of [node, guarded, loopbackAllowed]) socket.close()
    }
  })
})

describe('the engine with the network policy on', () => {
  it('refuses a tracker whose name resolves to a private address when it connects', async () => {
    const tracker = await serve(() => ({ status: 200 }))
    const e = engineWith(new NetworkGuard())
    const warning = await announceTo(e, `http://localhost:${new URL(tracker.url).port}/announce`)
    expect(warning).toMatch(/fetch failed/)
    expect(tracker.hits).toEqual([])
  })

  it('announces to an HTTP tracker without following its redirect', async () => {
    const inside = await serve(() => ({ status: 200 }))
    const tracker = await serve(() => ({ status: 302, location: `${inside.url}/announce` }))
    const e = engineWith(new NetworkGuard({ forbidden: loopbackIsPublic }))
    expect(await announceTo(e, `${tracker.url}/announce`)).toMatch(/302/)
    expect(tracker.hits).toHaveLength(1)
    expect(inside.hits).toEqual([])
  })

  it('refuses IPv6 loopback and IPv4-mapped peers', async () => {
    const e = engineWith(new NetworkGuard())
    const fixture = buildTorrent({
      name: 'peers',
      files: [{ segments: ['a.bin'], data: content(1024) }],
      announce: 'http://127.0.0.1:9/announce',
    })
    const job = e.add('job-peers', { torrent: fixture.torrent }, await tempDir('peers'))
    const internal = (job as unknown as { torrent: EventEmitter }).torrent
    const blocked: string[] = []
    internal.on('blockedPeer', (peer: string) => blocked.push(peer))
    if (!(internal as unknown as { infoHash?: string }).infoHash) {
      await new Promise((resolve) => internal.once('infoHash', resolve))
    }
    const addPeer = (internal as unknown as { addPeer(addr: string): boolean }).addPeer.bind(
      internal,
    )
    // Ports nothing listens on: even if a peer got through, nothing would answer.
    const peers = ['[::1]:9', '[::ffff:127.0.0.1]:9', '[::ffff:7f00:1]:9']
    for (const peer of peers) expect(addPeer(peer), peer).toBe(false)
    expect(blocked).toEqual(peers)
  })
})
