import { mkdir } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import type { AgentHeartbeat, AgentStatus } from '@tseeder/shared'
import { ApiClient } from './api-client.ts'
import type { AgentConfig } from './config.ts'
import { freeDiskBytes } from './disk.ts'
import { WebTorrentEngine } from './engine/webtorrent-engine.ts'
import { startHeartbeat } from './heartbeat.ts'
import { JobStateStore } from './job-state.ts'
import { JobManager } from './jobs.ts'
import type { Logger } from './log.ts'
import { createMetrics } from './metrics.ts'
import { Reporter } from './reporter.ts'
import { createAgentServer } from './server.ts'

export const AGENT_VERSION = '0.1.0'

export interface RunningAgent {
  url: string
  jobs: JobManager
  reporter: Reporter
  server: ReturnType<typeof createAgentServer>
  /** Drains and stops: refuses new work, flushes the outbox (up to `flushMs`), keeps state. */
  close(flushMs?: number): Promise<void>
}

/** Builds and starts an agent: recovers persisted jobs, then listens and sends heartbeats. */
export async function startAgent(config: AgentConfig, log: Logger): Promise<RunningAgent> {
  // A new data dir is the agent user's only; an existing one keeps the mode its operator chose.
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
  const metrics = createMetrics()
  const api = new ApiClient({
    apiUrl: config.apiUrl,
    agentId: config.agentId,
    secret: config.secret,
  })
  const state = new JobStateStore(config.dataDir)
  await state.init()
  const reporter = new Reporter({
    dataDir: config.dataDir,
    api,
    log,
    metrics,
    maxBackoffMs: config.outboxMaxBackoffMs,
  })
  await reporter.init()
  // Bound once the heartbeat runs: a slot freed during recovery is told by the first beat.
  let slotFreed = () => {}
  const jobs = new JobManager({
    dataDir: config.dataDir,
    maxJobs: config.maxJobs,
    idleCapacity: config.idleCapacity,
    parkAfterMs: config.parkAfterMs,
    onSlotFreed: () => slotFreed(),
    diskReserveBytes: config.diskReserveBytes,
    metadataTimeoutMs: config.metadataTimeoutMs,
    stallTimeoutMs: config.stallTimeoutMs,
    progressIntervalMs: config.progressIntervalMs,
    streamUpload: config.streamUpload,
    privateNetworks: config.torrent.privateNetworks,
    engineFactory: () => new WebTorrentEngine({ ...config.torrent, log }),
    state,
    reporter,
    api,
    log,
    metrics,
  })
  await jobs.recover()

  const heartbeat = async (): Promise<AgentHeartbeat> => ({
    agentId: config.agentId,
    url: config.publicUrl,
    ...jobs.load(),
    freeDiskBytes: await freeDiskBytes(config.dataDir),
    version: AGENT_VERSION,
  })
  const status = async (): Promise<AgentStatus> => ({ ...(await heartbeat()), jobs: jobs.list() })

  const server = createAgentServer({
    secret: config.secret,
    tls: config.tls,
    jobs,
    metrics,
    log,
    status,
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `${config.tls ? 'https' : 'http'}://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`
  const beats = startHeartbeat({
    api,
    log,
    intervalMs: config.heartbeatIntervalMs,
    snapshot: heartbeat,
  })
  slotFreed = () => beats.nudge()
  log.info(
    {
      url,
      agentId: config.agentId,
      maxJobs: config.maxJobs,
      idleCapacity: config.idleCapacity,
    },
    'agent listening',
  )

  return {
    url,
    jobs,
    reporter,
    server,
    async close(flushMs = 10_000) {
      beats.stop()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      await jobs.shutdown()
      const flushed = await reporter.flush(flushMs)
      reporter.stop()
      server.closeAllConnections()
      await closed
      log.info({ flushed, pending: reporter.pending }, 'agent stopped')
    },
  }
}
