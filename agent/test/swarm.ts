import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import {
  AgentCallback,
  SIGNATURE_HEADERS,
  signedHeaders,
  verifySignature,
  type AgentStartBody,
} from '@tseeder/shared'
import { Server as TrackerServer } from 'bittorrent-tracker'
import WebTorrent, { type Torrent } from 'webtorrent'
import { createS3rver } from '../../scripts/lib/s3.ts'
import { indexedFilePath, jobChunkStore } from '../src/engine/job-chunk-store.ts'
import { LOOPBACK_TORRENT_OPTIONS, sha256, type TorrentFixture } from './fixtures.ts'

export { LOOPBACK_TORRENT_OPTIONS } from './fixtures.ts'

export const AGENT_ID = 'agent-test'
export const AGENT_SECRET = 'test-secret-0123456789abcdef'
export const BUCKET = 'tseeder'

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `tseeder-${prefix}-`))
}

/** A tracker on 127.0.0.1 and a seeding webtorrent client (files stored by index, like the agent). */
export async function startSwarm() {
  const tracker = new TrackerServer({ udp: false, http: true, ws: false, stats: false })
  await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve))
  const announce = `http://127.0.0.1:${tracker.http!.address().port}/announce`
  const seedRoot = await tempDir('seed')
  const client = new WebTorrent({ ...LOOPBACK_TORRENT_OPTIONS })
  client.on('error', () => {})
  let count = 0

  return {
    announce,
    client,
    async seed(fixture: TorrentFixture): Promise<Torrent> {
      const dir = join(seedRoot, String(count++))
      await mkdir(join(dir, 'files'), { recursive: true })
      await Promise.all(fixture.files.map((f, i) => writeFile(indexedFilePath(dir, i), f.data)))
      return new Promise((resolve, reject) => {
        const torrent = client.add(fixture.torrent, { path: dir, store: jobChunkStore(dir) })
        torrent.once('error', reject)
        torrent.once('done', () => resolve(torrent))
      })
    },
    /** Limits the seeder's upload rate, in bytes per second (-1: unlimited). */
    throttle(bytesPerSecond: number) {
      ;(client as unknown as { throttleUpload(rate: number): void }).throttleUpload(bytesPerSecond)
    },
    async close() {
      await new Promise<void>((resolve) => client.destroy(() => resolve()))
      await new Promise<void>((resolve) => tracker.close(() => resolve()))
      await rm(seedRoot, { recursive: true, force: true })
    },
  }
}
export type Swarm = Awaited<ReturnType<typeof startSwarm>>

/** s3rver 3.7.1 on a free port with the bucket configured; counts objects created per key. */
export async function startS3() {
  const directory = await tempDir('s3')
  const server = createS3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET }],
  })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  const created = new Map<string, number>()
  server.on(
    'event',
    (event: { Records: { eventName: string; s3: { object: { key: string } } }[] }) => {
      for (const record of event.Records) {
        if (!record.eventName.startsWith('ObjectCreated')) continue
        const key = decodeURIComponent(record.s3.object.key)
        created.set(key, (created.get(key) ?? 0) + 1)
      }
    },
  )
  const s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  })
  return {
    endpoint,
    created,
    async objectSha256(key: string): Promise<string> {
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
      return sha256(await object.Body!.transformToByteArray())
    },
    async objectType(key: string): Promise<string | undefined> {
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
      await object.Body!.transformToByteArray()
      return object.ContentType
    },
    async close() {
      s3.destroy()
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
export type S3 = Awaited<ReturnType<typeof startS3>>

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
          timestamp: (req.headers[SIGNATURE_HEADERS.timestamp] as string) ?? null,
          signature: (req.headers[SIGNATURE_HEADERS.signature] as string) ?? null,
        },
        raw,
      )
      if (!check.ok || req.headers[SIGNATURE_HEADERS.agentId] !== AGENT_ID) {
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
      // s3rver knows only this key pair; it does not check signatures or session tokens.
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
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
    AGENT_DHT: 'false',
    AGENT_LSD: 'false',
    AGENT_UTP: 'false',
    AGENT_NAT_TRAVERSAL: 'false',
    AGENT_WEB_SEEDS: 'false',
    AGENT_PRIVATE_NETWORKS: 'true',
    AGENT_LOG_LEVEL: 'warn',
    ...extra,
  }
}

/** Sends a signed request to an agent, as the API's queue consumer would. */
export async function callAgent(
  agentUrl: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  options: { secret?: string; now?: number } = {},
) {
  const raw = body === undefined ? '' : JSON.stringify(body)
  const headers = await signedHeaders(AGENT_ID, options.secret ?? AGENT_SECRET, raw, options.now)
  const response = await fetch(`${agentUrl}${path}`, {
    method,
    headers: { ...headers, ...(raw ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { body: raw } : {}),
  })
  const text = await response.text()
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null }
}

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

/** Polls `check` until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
