import bencode from 'bencode'
import { env, SELF } from 'cloudflare:test'
import { inject } from 'vitest'
import {
  deriveAgentSecret,
  type AgentCallback,
  type AgentStartBody,
  type JobEvent,
  readEventStream,
  type SignatureDirection,
  signedHeaders,
} from '@tseeder/shared'
import { BASE_URL, type Browser, type SignedUp } from './helpers.ts'
import type { RecordedCall } from './agent-double.ts'

export const SIGNING_KEY = 'test-agent-signing-key'

export function doubleUrl(): string {
  return inject('agentDoubleUrl')
}

export async function sleep(ms: number) {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `probe` until it returns something truthy, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** A signed request as an agent makes it (`direction` other than its own only to test refusals). */
export async function agentRequest(
  agentId: string,
  path: string,
  body: unknown,
  options: {
    timestamp?: number
    secret?: string
    nonce?: string
    direction?: SignatureDirection
  } = {},
) {
  const text = JSON.stringify(body)
  const secret = options.secret ?? (await deriveAgentSecret(SIGNING_KEY, agentId))
  const headers = await signedHeaders(
    agentId,
    secret,
    { direction: options.direction ?? 'agent-to-api', method: 'POST', path, body: text },
    { now: options.timestamp, nonce: options.nonce },
  )
  return SELF.fetch(`${BASE_URL}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: text,
  })
}

export async function registerAgent(id = `agent-${crypto.randomUUID().slice(0, 8)}`, capacity = 4) {
  const response = await agentRequest(id, '/internal/agents/heartbeat', {
    agentId: id,
    url: `${doubleUrl()}/agents/${id}/`,
    capacity,
    activeJobs: 0,
    freeDiskBytes: 100e9,
    version: 'double-1',
  })
  if (response.status !== 200)
    throw new Error(`heartbeat answered ${response.status}: ${await response.text()}`)
  return id
}

export async function callsFor(jobId: string): Promise<RecordedCall[]> {
  return (await fetch(`${doubleUrl()}/_calls?job=${jobId}`)).json()
}

/** Waits for the dispatcher's `/start` of `jobId` and returns which agent got it, and the body. */
export async function waitForStart(jobId: string, attempt = 1) {
  const call = await waitFor(
    async () =>
      (await callsFor(jobId)).find(
        (c) => c.path === '/start' && (c.body as AgentStartBody).attempt === attempt,
      ),
    15_000,
    `/start of ${jobId}`,
  )
  return { agentId: call.agentId, body: call.body as AgentStartBody }
}

/** Plays the agent's side of one job: numbered, signed callbacks. */
export function agentSide(jobId: string, agentId: string, attempt = 1) {
  let seq = 0
  return {
    send: (cb: Record<string, unknown> & { type: AgentCallback['type'] }, at?: number) =>
      agentRequest(agentId, '/internal/jobs/callback', { jobId, attempt, seq: at ?? ++seq, ...cb }),
  }
}

export const progress = (pct: number, total = 1000) => ({
  type: 'progress_update' as const,
  phase: 'downloading' as const,
  progressPct: pct,
  bytesDownloaded: Math.round((total * pct) / 100),
  bytesTotal: total,
  downloadSpeed: 5000,
  uploadSpeed: 100,
  eta: 3,
  peers: 2,
  seeds: 1,
})

export const metadata = (
  infohash: string,
  files = [
    { index: 0, path: 'demo/a.txt', size: 600 },
    { index: 1, path: 'demo/b.mp4', size: 400 },
  ],
) => ({
  type: 'metadata_ready' as const,
  infohash,
  name: 'demo',
  bytesTotal: files.reduce((s, f) => s + f.size, 0),
  files,
})

export const completed = (
  infohash: string,
  files = [
    { index: 0, path: 'demo/a.txt', size: 600 },
    { index: 1, path: 'demo/b.mp4', size: 400 },
  ],
) => ({
  type: 'completed' as const,
  files: files.map((f) => ({ ...f, key: `content/${infohash}/${f.index}` })),
})

/** Reads an SSE stream in the background, collecting its events. */
export function openStream(browser: Browser, path: string, lastEventId?: string) {
  const events: (JobEvent & { streamId: string | null })[] = []
  const controller = new AbortController()
  const ready = browser
    .fetch(path, {
      headers: lastEventId ? { 'last-event-id': lastEventId } : {},
      signal: controller.signal,
    })
    .then(async (response) => {
      if (response.status !== 200) throw new Error(`stream answered ${response.status}`)
      ;(async () => {
        try {
          for await (const event of readEventStream(response.body!)) {
            events.push({ ...(JSON.parse(event.data) as JobEvent), streamId: event.id })
          }
        } catch {
          // closed by the test
        }
      })()
    })
  return {
    events,
    ready,
    until: (predicate: (e: JobEvent) => boolean, what = 'event') =>
      waitFor(async () => events.find(predicate), 10_000, what),
    close: () => controller.abort(),
  }
}

export function randomInfohash(): string {
  return [...crypto.getRandomValues(new Uint8Array(20))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
}

export const magnetFor = (infohash: string, name = 'demo') =>
  `magnet:?xt=urn:btih:${infohash}&dn=${name}&tr=udp%3A%2F%2F127.0.0.1%3A6969`

export async function jobRow(id: string) {
  return env.DB.prepare('SELECT * FROM jobs WHERE id = ?').bind(id).first<Record<string, unknown>>()
}

/** Puts an object straight into the test S3 server, as an agent's upload would. */
export async function putObject(key: string, bytes: Uint8Array) {
  const { AwsClient } = await import('aws4fetch')
  const s3 = new AwsClient({
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'auto',
    service: 's3',
  })
  const response = await s3.fetch(`${env.S3_ENDPOINT}/${env.S3_BUCKET}/${key}`, {
    method: 'PUT',
    body: bytes,
  })
  if (!response.ok) throw new Error(`PUT ${key} answered ${response.status}`)
}

export async function objectExists(key: string): Promise<boolean> {
  const { AwsClient } = await import('aws4fetch')
  const s3 = new AwsClient({
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'auto',
    service: 's3',
  })
  return (await s3.fetch(`${env.S3_ENDPOINT}/${env.S3_BUCKET}/${key}`, { method: 'HEAD' })).ok
}

/** A job of `user` completed by an agent, with its two files really in S3. */
export async function storedJob(user: Browser, infohash = randomInfohash()) {
  await registerAgent()
  const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
  const { agentId } = await waitForStart(job.id)
  const bytes = [
    crypto.getRandomValues(new Uint8Array(600)),
    crypto.getRandomValues(new Uint8Array(400)),
  ]
  await putObject(`content/${infohash}/0`, bytes[0]!)
  await putObject(`content/${infohash}/1`, bytes[1]!)
  const agent = agentSide(job.id, agentId)
  await agent.send(metadata(infohash))
  await agent.send(completed(infohash))
  const { files } = await user.api.listJobFiles({ params: { id: job.id } })
  return { job, infohash, files, bytes, agentId }
}

/** A new user's magnet job, already dispatched to an agent whose side the test plays. */
export async function dispatchedJob() {
  await registerAgent()
  const { signUp } = await import('./helpers.ts')
  const user = await signUp()
  const infohash = randomInfohash()
  const job = await user.api.createJob({ body: { magnet: magnetFor(infohash) } })
  const { agentId } = await waitForStart(job.id)
  return {
    user,
    job,
    infohash,
    agentId,
    agent: agentSide(job.id, agentId),
    params: { params: { id: job.id } },
  }
}

/** Another new user's job following a new user's download of the same content, just dispatched. */
export async function followedDownload() {
  await registerAgent()
  const { signUp } = await import('./helpers.ts')
  const alice = await signUp()
  const bob = await signUp()
  const infohash = randomInfohash()
  const leader = await alice.api.createJob({ body: { magnet: magnetFor(infohash) } })
  const { agentId } = await waitForStart(leader.id)
  const follower = await bob.api.createJob({ body: { magnet: magnetFor(infohash) } })
  return { alice, bob, infohash, leader, follower, agent: agentSide(leader.id, agentId) }
}

const enc = new TextEncoder()

/** Uploads a .torrent of `files` asking to choose files first: the job waits, paused. */
export function uploadChoosing(user: SignedUp, files: { path: string; length: number }[]) {
  const torrent = bencode.encode({
    announce: enc.encode('udp://127.0.0.1:6969'),
    info: {
      name: enc.encode(`t-${crypto.randomUUID().slice(0, 6)}`),
      'piece length': 16384,
      pieces: new Uint8Array(20),
      files: files.map((f) => ({ length: f.length, path: [enc.encode(f.path)] })),
    },
  })
  const form = new FormData()
  form.set('torrent', new Blob([torrent]), 'x.torrent')
  form.set('chooseFiles', 'true')
  return user.api.createJob({ body: form })
}
