// The compute agent's environment on this machine, for `npm start`, the end-to-end stack, the
// agent's own tests and its benchmark: loopback only, trackers only (no DHT, LSD, uTP, UPnP or
// NAT-PMP: there may be no internet).

/** The swarm, tracker and S3 server all live on 127.0.0.1, so private networks are allowed. */
export const LOOPBACK_AGENT_ENV = {
  AGENT_DHT: 'false',
  AGENT_LSD: 'false',
  AGENT_UTP: 'false',
  AGENT_NAT_TRAVERSAL: 'false',
  AGENT_WEB_SEEDS: 'false',
  AGENT_PRIVATE_NETWORKS: 'true',
} as const

/** What `npm start` gives every local agent before the developer's own `AGENT_*` variables. */
export const LOCAL_AGENT_DEFAULTS = { ...LOOPBACK_AGENT_ENV, AGENT_MAX_JOBS: '4' } as const

export interface LocalAgentOptions {
  id: string
  host: string
  port: number
  apiUrl: string
  secret: string
  dataDir: string
  /** More `AGENT_*` variables (e.g. from tests); identity and wiring still win. */
  env?: Record<string, string> | undefined
}

/**
 * A local agent of `npm start`'s stack. Any `AGENT_*` variable already set in our own environment
 * wins over the defaults, e.g. `AGENT_DHT=true npm start` to use the public DHT.
 */
export function localAgentEnv(options: LocalAgentOptions): Record<string, string> {
  const fromUser = Object.fromEntries(
    Object.entries(process.env).filter(([k, v]) => k.startsWith('AGENT_') && v !== undefined),
  ) as Record<string, string>
  return {
    ...LOCAL_AGENT_DEFAULTS,
    ...fromUser,
    ...options.env,
    // Identity and wiring are ours, whatever the environment says.
    AGENT_ID: options.id,
    AGENT_SECRET: options.secret,
    AGENT_API_URL: options.apiUrl,
    AGENT_HOST: options.host,
    AGENT_PORT: String(options.port),
    AGENT_PUBLIC_URL: `http://${options.host}:${options.port}`,
    AGENT_DATA_DIR: options.dataDir,
  }
}
