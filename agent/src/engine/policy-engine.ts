import pino from 'pino'
import type { NetworkGuard } from './network-guard.ts'
import { WebTorrentEngine } from './webtorrent-engine.ts'

/**
 * For tests: an engine with the network policy on (as in production) and nothing that reaches
 * past loopback on its own (no DHT, LSD, uTP, NAT traversal, web seeds or extra trackers).
 */
export function policyEngine(guard?: NetworkGuard): WebTorrentEngine {
  return new WebTorrentEngine({
    dht: false,
    lsd: false,
    utp: false,
    natTraversal: false,
    webSeeds: false,
    trackers: [],
    port: 0,
    maxConns: 10,
    privateNetworks: false,
    ...(guard ? { guard } : {}),
    log: pino({ level: 'silent' }),
  })
}
