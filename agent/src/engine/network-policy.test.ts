import type { EventEmitter } from 'node:events'
import parseTorrent from 'parse-torrent'
import decodeMagnet from 'magnet-uri'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTorrent, content } from '@tseeder/testkit/fixtures'
import { startSwarm, type Swarm } from '@tseeder/testkit/swarm'
import { tempDir } from '@tseeder/testkit/wait'
import { infoSection } from '@tseeder/shared/torrent'
import { NetworkGuard } from './network-guard.ts'
import { isPrivateAddress, trackerProblem, withPublicEndpoints } from './network-policy.ts'
import { policyEngine } from './policy-engine.ts'

const HASH = 'a'.repeat(40)

describe('trackerProblem', () => {
  it('refuses trackers on loopback, private, link-local and metadata addresses', async () => {
    for (const url of [
      'http://127.0.0.1:8000/announce',
      'udp://10.1.2.3:6969',
      'http://169.254.169.254/latest/meta-data',
      'https://192.168.1.1/announce',
      'http://[::1]:80/announce',
      'http://[fd00::1]/announce',
      'http://[::ffff:127.0.0.1]/announce',
      'http://localhost:9000/announce',
      'ws://tracker.localhost/announce',
    ]) {
      expect(await trackerProblem(url), url).toMatch(/private/)
    }
  })

  it('refuses other protocols and non-URLs', async () => {
    expect(await trackerProblem('file:///etc/passwd')).toMatch(/protocol/)
    expect(await trackerProblem('gopher://93.184.216.34/')).toMatch(/protocol/)
    expect(await trackerProblem('not a url')).toBe('not a URL')
  })

  it('accepts trackers on public addresses', async () => {
    expect(await trackerProblem('udp://93.184.216.34:6969/announce')).toBeNull()
    expect(await trackerProblem('https://[2606:4700::1111]/announce')).toBeNull()
    expect(isPrivateAddress('8.8.8.8')).toBe(false)
  })
})

describe('isPrivateAddress', () => {
  it('classifies IPv4 and IPv6 addresses, with the IPv4 inside mapped, NAT64 and 6to4 ones', () => {
    for (const address of [
      '169.254.169.254',
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00::1',
      'fc00::1',
      'fe80::1',
      'fe80::1%eth0',
      'fec0::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::FFFF:A9FE:A9FE',
      '0:0:0:0:0:ffff:10.0.0.1',
      '::ffff:0:10.0.0.1',
      '::127.0.0.1',
      '64:ff9b::169.254.169.254',
      '64:ff9b::a9fe:a9fe',
      '2002:a9fe:a9fe::1',
    ]) {
      expect(isPrivateAddress(address), address).toBe(true)
    }
    for (const address of [
      '8.8.8.8',
      '93.184.216.34',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
      '2002:808:808::1',
      'tracker.example',
    ]) {
      expect(isPrivateAddress(address), address).toBe(false)
    }
  })
})

describe('withPublicEndpoints', () => {
  it('pins UDP trackers to the address that was checked, and drops names with any private address', async () => {
    const guard = new NetworkGuard({
      resolve: async (host) =>
        host === 'mixed.test'
          ? [
              { address: '93.184.216.34', family: 4 },
              { address: 'fd00::1', family: 6 },
            ]
          : [
              { address: '2606:4700::1111', family: 6 },
              { address: '93.184.216.34', family: 4 },
            ],
    })
    const magnet =
      `magnet:?xt=urn:btih:${HASH}&tr=${encodeURIComponent('udp://udp.test:1337/announce')}` +
      `&tr=${encodeURIComponent('http://mixed.test/announce')}` +
      `&tr=${encodeURIComponent('https://http.test/announce')}` +
      `&xs=${encodeURIComponent('https://93.184.216.34/x.torrent')}`
    const { source, dropped } = await withPublicEndpoints({ magnet }, guard)
    expect(decodeMagnet((source as { magnet: string }).magnet).announce).toEqual([
      'udp://93.184.216.34:1337/announce',
      'https://http.test/announce',
    ])
    expect(dropped).toEqual([
      'http://mixed.test/announce (resolves to a private address (fd00::1))',
      'https://93.184.216.34/x.torrent (exact sources are not fetched)',
    ])
  })

  it('drops private trackers, web seeds and exact sources from a magnet and keeps its info hash', async () => {
    const magnet =
      `magnet:?xt=urn:btih:${HASH}&dn=x&tr=${encodeURIComponent('http://127.0.0.1/a')}` +
      `&tr=${encodeURIComponent('udp://93.184.216.34:1337')}&ws=${encodeURIComponent('http://10.0.0.5/f')}` +
      `&xs=${encodeURIComponent('http://169.254.169.254/x.torrent')}`
    const { source, dropped } = await withPublicEndpoints({ magnet })
    expect(dropped).toHaveLength(3)
    const kept = decodeMagnet((source as { magnet: string }).magnet)
    expect(kept.infoHash).toBe(HASH)
    expect(kept.announce).toEqual(['udp://93.184.216.34:1337'])
    expect(kept.urlList).toEqual([])
    expect(kept.xs).toBeUndefined()
  })

  it('leaves a magnet without private endpoints as it is', async () => {
    const magnet = `magnet:?xt=urn:btih:${HASH}&tr=${encodeURIComponent('udp://93.184.216.34:1')}`
    expect(await withPublicEndpoints({ magnet })).toEqual({ source: { magnet }, dropped: [] })
  })

  it('drops private trackers from a .torrent without changing its info hash', async () => {
    const fixture = buildTorrent({
      name: 'x',
      files: [{ segments: ['a.bin'], data: content(1000) }],
      announce: 'http://169.254.169.254/announce',
    })
    const { source, dropped } = await withPublicEndpoints({ torrent: fixture.torrent })
    expect(dropped).toEqual(['http://169.254.169.254/announce (private address)'])
    const parsed = await parseTorrent((source as { torrent: Uint8Array }).torrent)
    expect(parsed.infoHash).toBe(fixture.infohash)
    expect(parsed.announce).toEqual([])
  })

  it('keeps the info section byte for byte when its keys are out of order', async () => {
    const fixture = buildTorrent({
      name: 'x',
      files: [{ segments: ['a.bin'], data: content(1000) }],
      announce: 'http://169.254.169.254/announce',
      unsortedInfo: true,
    })
    const { source } = await withPublicEndpoints({ torrent: fixture.torrent })
    const rewritten = (source as { torrent: Uint8Array }).torrent
    expect(Buffer.from(infoSection(rewritten)!)).toEqual(Buffer.from(infoSection(fixture.torrent)!))
    expect((await parseTorrent(rewritten)).announce).toEqual([])
  })
})

describe('the engine outside local stacks', () => {
  let swarm: Swarm
  beforeAll(async () => {
    swarm = await startSwarm()
  })
  afterAll(async () => {
    await swarm.close()
  })

  it('refuses peers on private addresses', async () => {
    const fixture = buildTorrent({
      name: 'blocked',
      files: [{ segments: ['a.bin'], data: content(64 * 1024) }],
      announce: swarm.announce,
    })
    await swarm.seed(fixture)
    const seederPort = (swarm.client as unknown as { torrentPort: number }).torrentPort
    const engine = policyEngine()
    try {
      const job = engine.add('job-blocked', { torrent: fixture.torrent }, await tempDir('blocked'))
      const internal = (job as unknown as { torrent: EventEmitter }).torrent
      const blocked = new Promise<string>((resolve) => internal.once('blockedPeer', resolve))
      if (!(internal as unknown as { infoHash?: string }).infoHash) {
        await new Promise((resolve) => internal.once('infoHash', resolve))
      }
      // The tracker is private too, so the agent would not find the seeder; hand it the peer.
      ;(internal as unknown as { addPeer(addr: string): void }).addPeer(`127.0.0.1:${seederPort}`)
      expect(await blocked).toMatch(/^127\.0\.0\.1:/)
    } finally {
      await engine.destroy()
    }
  })
})
