import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

const minimal = {
  AGENT_API_URL: 'https://api.example.com/',
  AGENT_ID: 'agent-1',
  AGENT_SECRET: '0123456789abcdef0123',
  AGENT_PUBLIC_URL: 'https://agent-1.example.com',
  AGENT_DATA_DIR: '/var/lib/tseeder-agent',
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(minimal)
    expect(config).toMatchObject({
      apiUrl: 'https://api.example.com',
      progressIntervalMs: 2000,
      heartbeatIntervalMs: 10_000,
      tls: null,
      maxJobs: 4,
      idleCapacity: 32,
      parkAfterMs: 60_000,
      torrent: { dht: true, webSeeds: false, trackers: [], privateNetworks: false },
    })
  })

  it('names every missing or invalid variable in one error', () => {
    const attempt = () =>
      loadConfig({ ...minimal, AGENT_ID: undefined, AGENT_PORT: 'eighty', AGENT_API_URL: 'nope' })
    expect(attempt).toThrow(ConfigError)
    expect(attempt).toThrow(/AGENT_ID: is required/)
    expect(attempt).toThrow(/AGENT_PORT/)
    expect(attempt).toThrow(/AGENT_API_URL/)
  })

  it("reads the parked torrents' room and the time before parking, and refuses bad values", () => {
    expect(
      loadConfig({ ...minimal, AGENT_IDLE_CAPACITY: '0', AGENT_PARK_AFTER_MS: '1500' }),
    ).toMatchObject({ idleCapacity: 0, parkAfterMs: 1500 })
    const attempt = () =>
      loadConfig({ ...minimal, AGENT_IDLE_CAPACITY: '-1', AGENT_PARK_AFTER_MS: 'soon' })
    expect(attempt).toThrow(/AGENT_IDLE_CAPACITY/)
    expect(attempt).toThrow(/AGENT_PARK_AFTER_MS/)
  })

  it('requires the three TLS files together', () => {
    expect(() => loadConfig({ ...minimal, AGENT_TLS_CERT: '/etc/cert.pem' })).toThrow(
      /AGENT_TLS_CERT/,
    )
    const tls = loadConfig({
      ...minimal,
      AGENT_TLS_CERT: '/c.pem',
      AGENT_TLS_KEY: '/k.pem',
      AGENT_TLS_CA: '/ca.pem',
      AGENT_DHT: 'false',
      AGENT_TRACKERS: 'udp://t.example:1337, http://u.example/announce',
    })
    expect(tls.tls).toEqual({ cert: '/c.pem', key: '/k.pem', ca: '/ca.pem' })
    expect(tls.torrent).toMatchObject({
      dht: false,
      trackers: ['udp://t.example:1337', 'http://u.example/announce'],
    })
  })
})
