// The agent seen from the API's side, without the Worker: a stand-in for `/internal/*` that checks
// signatures and records what the agent sends, signed calls to the agent, and its environment.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  AgentCallback,
  NonceCache,
  readSignatureHeaders,
  SIGNATURE_HEADERS,
  type SignatureDirection,
  signedHeaders,
  verifySignature,
  type AgentStartBody,
} from '@tseeder/shared'
import { LOOPBACK_AGENT_ENV } from './agent-env.ts'
import type { TorrentFixture } from './fixtures.ts'
import { BUCKET, S3RVER_CREDENTIALS } from './s3.ts'

export const AGENT_ID = 'agent-test'
export const AGENT_SECRET = 'test-secret-0123456789abcdef'

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/**
 * Stands in for the API's `/internal/*` routes: verifies every signature with the shared
 * `verifySignature`, records callbacks and heartbeats, and can play dead (connections dropped).
 */
export async function startFakeApi(grant: () => AgentStartBody['storage']) {
  const callbacks: AgentCallback[] = []
  const heartbeats: unknown[] = []
  const refused: string[] = []
  const credentialRequests: unknown[] = []
  const nonces = new NonceCache()
  let down = false
  const server: Server = createServer((req, res) => {
    if (down) {
      req.socket.destroy()
      return
    }
    void (async () => {
      const raw = await readAll(req)
      const check = await verifySignature(
        AGENT_SECRET,
        {
          direction: 'agent-to-api',
          method: req.method ?? '',
          path: new URL(req.url ?? '/', 'http://fake-api').pathname,
          body: raw,
        },
        readSignatureHeaders((name) => req.headers[name] as string | undefined),
      )
      if (
        !check.ok ||
        req.headers[SIGNATURE_HEADERS.agentId] !== AGENT_ID ||
        !nonces.claim(check.nonce, check.timestamp)
      ) {
        refused.push(req.url ?? '')
        res.writeHead(401).end()
        return
      }
      if (req.url === '/internal/jobs/callback') {
        callbacks.push(AgentCallback.parse(JSON.parse(raw)))
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
      } else if (req.url === '/internal/agents/heartbeat') {
        heartbeats.push(JSON.parse(raw))
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
      } else if (req.url === '/internal/jobs/credentials') {
        credentialRequests.push(JSON.parse(raw))
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(grant()))
      } else {
        res.writeHead(404).end()
      }
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    callbacks,
    heartbeats,
    refused,
    credentialRequests,
    setDown(value: boolean) {
      down = value
    },
    of(jobId: string) {
      return callbacks.filter((c) => c.jobId === jobId)
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
export type FakeApi = Awaited<ReturnType<typeof startFakeApi>>

/** A storage grant for s3rver, valid for an hour. */
export function grantFor(endpoint: string, infohash: string): AgentStartBody['storage'] {
  return {
    endpoint,
    region: 'us-east-1',
    bucket: BUCKET,
    prefix: `content/${infohash}/`,
    credentials: {
      // s3rver does not check session tokens.
      ...S3RVER_CREDENTIALS,
      sessionToken: 'job-token',
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    },
  }
}

/** Environment for an agent wired to the fake API, on loopback only. */
export function agentEnv(apiUrl: string, dataDir: string, extra: Record<string, string> = {}) {
  return {
    AGENT_API_URL: apiUrl,
    AGENT_ID: AGENT_ID,
    AGENT_SECRET: AGENT_SECRET,
    AGENT_HOST: '127.0.0.1',
    AGENT_PORT: '0',
    AGENT_PUBLIC_URL: 'http://127.0.0.1:1/',
    AGENT_DATA_DIR: dataDir,
    AGENT_MAX_JOBS: '8',
    AGENT_DISK_RESERVE_BYTES: '0',
    AGENT_PROGRESS_INTERVAL_MS: '200',
    AGENT_HEARTBEAT_INTERVAL_MS: '1000',
    AGENT_OUTBOX_MAX_BACKOFF_MS: '1000',
    AGENT_METADATA_TIMEOUT_MS: '20000',
    ...LOOPBACK_AGENT_ENV,
    AGENT_LOG_LEVEL: 'warn',
    ...extra,
  }
}

/**
 * Sends a signed request to an agent, as the API's queue consumer would (`direction`, `nonce` and
 * `signedPath` differ from what the API sends only to test refusals).
 */
export async function callAgent(
  agentUrl: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  options: {
    secret?: string
    now?: number
    nonce?: string
    direction?: SignatureDirection
    signedPath?: string
  } = {},
) {
  const raw = body === undefined ? '' : JSON.stringify(body)
  const headers = await signedHeaders(
    'api',
    options.secret ?? AGENT_SECRET,
    {
      direction: options.direction ?? 'api-to-agent',
      method,
      path: options.signedPath ?? path,
      body: raw,
    },
    { now: options.now, nonce: options.nonce },
  )
  const response = await fetch(`${agentUrl}${path}`, {
    method,
    headers: { ...headers, ...(raw ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { body: raw } : {}),
  })
  const text = await response.text()
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null }
}

/** The `/start` body for `fixture`, by magnet (default) or as a .torrent. */
export function startBody(
  fixture: TorrentFixture,
  s3Endpoint: string,
  overrides: Partial<AgentStartBody> & { jobId: string },
  as: 'magnet' | 'torrent' = 'magnet',
): AgentStartBody {
  return {
    attempt: 1,
    infohash: fixture.infohash,
    ...(as === 'magnet'
      ? { magnet: fixture.magnet }
      : { torrentBase64: fixture.torrent.toString('base64') }),
    limits: { maxFileBytes: null, remainingStorageBytes: null },
    storage: grantFor(s3Endpoint, fixture.infohash),
    ...overrides,
  }
}
