import { z } from 'zod'
import { AGENT_HEARTBEAT_MS } from '@tseeder/shared'
import type { WebTorrentEngineOptions } from './engine/webtorrent-engine.ts'

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes')

const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback)

/** Every `AGENT_*` variable the agent reads, with its default. */
export const AgentEnv = z
  .object({
    AGENT_API_URL: z.url(),
    AGENT_ID: z.string().min(1).max(64),
    AGENT_SECRET: z.string().min(16, 'must be at least 16 characters'),
    AGENT_HOST: z.string().default('0.0.0.0'),
    AGENT_PORT: z.coerce.number().int().min(0).max(65_535).default(8443),
    AGENT_PUBLIC_URL: z.url(),
    AGENT_DATA_DIR: z.string().min(1),
    /** Transfer slots: jobs moving bytes (or trying to, for their first `AGENT_PARK_AFTER_MS`). */
    AGENT_MAX_JOBS: z.coerce.number().int().positive().default(4),
    /** Room for parked torrents (looking for metadata or peers), beside the transfer slots. */
    AGENT_IDLE_CAPACITY: z.coerce.number().int().nonnegative().default(32),
    AGENT_PARK_AFTER_MS: ms(60_000),
    AGENT_DISK_RESERVE_BYTES: z.coerce
      .number()
      .int()
      .nonnegative()
      .default(1024 ** 3),
    AGENT_TLS_CERT: z.string().optional(),
    AGENT_TLS_KEY: z.string().optional(),
    AGENT_TLS_CA: z.string().optional(),
    AGENT_METADATA_TIMEOUT_MS: ms(10 * 60_000),
    AGENT_STALL_TIMEOUT_MS: ms(30 * 60_000),
    AGENT_PROGRESS_INTERVAL_MS: ms(2_000),
    AGENT_HEARTBEAT_INTERVAL_MS: ms(AGENT_HEARTBEAT_MS),
    AGENT_OUTBOX_MAX_BACKOFF_MS: ms(30_000),
    AGENT_DHT: flag.default(true),
    AGENT_LSD: flag.default(false),
    AGENT_UTP: flag.default(true),
    AGENT_NAT_TRAVERSAL: flag.default(false),
    AGENT_WEB_SEEDS: flag.default(false),
    /**
     * Let torrents reach trackers, web seeds and peers on private, loopback and link-local
     * addresses. Only for local stacks and tests; off, a torrent cannot aim the agent at its own
     * network (every connection is checked: engine/network-guard.ts), and web seeds and local
     * peer discovery are off.
     */
    AGENT_PRIVATE_NETWORKS: flag.default(false),
    /** Extra trackers (comma separated) added to every job; empty by default. */
    AGENT_TRACKERS: z
      .string()
      .default('')
      .transform((text) =>
        text
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    AGENT_TORRENT_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
    AGENT_MAX_CONNS: z.coerce.number().int().positive().default(55),
    AGENT_STREAM_UPLOAD: flag.default(true),
    AGENT_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  })
  .refine(
    (env) =>
      [env.AGENT_TLS_CERT, env.AGENT_TLS_KEY, env.AGENT_TLS_CA].every(Boolean) ||
      [env.AGENT_TLS_CERT, env.AGENT_TLS_KEY, env.AGENT_TLS_CA].every((v) => !v),
    {
      message: 'set all three of AGENT_TLS_CERT, AGENT_TLS_KEY and AGENT_TLS_CA, or none',
      path: ['AGENT_TLS_CERT'],
    },
  )

export interface AgentConfig {
  apiUrl: string
  agentId: string
  secret: string
  host: string
  port: number
  publicUrl: string
  dataDir: string
  /** Transfer slots. */
  maxJobs: number
  /** Parked torrents kept beside the transfer slots. */
  idleCapacity: number
  /** A job without metadata, or whose bytes have not moved, for this long gives its slot back. */
  parkAfterMs: number
  diskReserveBytes: number
  /** PEM file paths; when set the agent serves HTTPS and requires a client certificate. */
  tls: { cert: string; key: string; ca: string } | null
  metadataTimeoutMs: number
  stallTimeoutMs: number
  progressIntervalMs: number
  heartbeatIntervalMs: number
  outboxMaxBackoffMs: number
  streamUpload: boolean
  logLevel: string
  torrent: Omit<WebTorrentEngineOptions, 'log'>
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/**
 * Reads the agent's configuration from environment variables; throws {@link ConfigError} naming
 * every missing or invalid variable at once.
 *
 * @example
 * const config = loadConfig(process.env)
 */
export function loadConfig(env: Record<string, string | undefined>): AgentConfig {
  const parsed = AgentEnv.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment')
      return `${name}: ${env[name] === undefined && issue.code === 'invalid_type' ? 'is required' : issue.message}`
    })
    throw new ConfigError(`Invalid agent configuration:\n  ${lines.join('\n  ')}`)
  }
  const e = parsed.data
  return {
    apiUrl: e.AGENT_API_URL.replace(/\/+$/, ''),
    agentId: e.AGENT_ID,
    secret: e.AGENT_SECRET,
    host: e.AGENT_HOST,
    port: e.AGENT_PORT,
    publicUrl: e.AGENT_PUBLIC_URL,
    dataDir: e.AGENT_DATA_DIR,
    maxJobs: e.AGENT_MAX_JOBS,
    idleCapacity: e.AGENT_IDLE_CAPACITY,
    parkAfterMs: e.AGENT_PARK_AFTER_MS,
    diskReserveBytes: e.AGENT_DISK_RESERVE_BYTES,
    tls:
      e.AGENT_TLS_CERT && e.AGENT_TLS_KEY && e.AGENT_TLS_CA
        ? { cert: e.AGENT_TLS_CERT, key: e.AGENT_TLS_KEY, ca: e.AGENT_TLS_CA }
        : null,
    metadataTimeoutMs: e.AGENT_METADATA_TIMEOUT_MS,
    stallTimeoutMs: e.AGENT_STALL_TIMEOUT_MS,
    progressIntervalMs: e.AGENT_PROGRESS_INTERVAL_MS,
    heartbeatIntervalMs: e.AGENT_HEARTBEAT_INTERVAL_MS,
    outboxMaxBackoffMs: e.AGENT_OUTBOX_MAX_BACKOFF_MS,
    streamUpload: e.AGENT_STREAM_UPLOAD,
    logLevel: e.AGENT_LOG_LEVEL,
    torrent: {
      dht: e.AGENT_DHT,
      lsd: e.AGENT_LSD,
      utp: e.AGENT_UTP,
      natTraversal: e.AGENT_NAT_TRAVERSAL,
      webSeeds: e.AGENT_WEB_SEEDS,
      trackers: e.AGENT_TRACKERS,
      port: e.AGENT_TORRENT_PORT,
      maxConns: e.AGENT_MAX_CONNS,
      privateNetworks: e.AGENT_PRIVATE_NETWORKS,
    },
  }
}
