import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** The agent's Prometheus metrics, each registry private to one agent instance. */
export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'tseeder_agent_' })
  return {
    registry,
    activeJobs: new Gauge({
      name: 'tseeder_agent_active_jobs',
      help: 'Jobs fetching metadata, downloading or uploading (transfers and parked)',
      registers: [registry],
    }),
    transfers: new Gauge({
      name: 'tseeder_agent_transfers',
      help: 'Jobs holding a transfer slot (moving bytes, or trying to)',
      registers: [registry],
    }),
    parkedJobs: new Gauge({
      name: 'tseeder_agent_parked_jobs',
      help: 'Jobs parked without a transfer slot (looking for metadata or peers, or waiting for a slot)',
      registers: [registry],
    }),
    bytesDownloaded: new Counter({
      name: 'tseeder_agent_bytes_downloaded_total',
      help: 'Bytes received from peers',
      registers: [registry],
    }),
    bytesUploaded: new Counter({
      name: 'tseeder_agent_bytes_uploaded_total',
      help: 'Bytes stored in object storage',
      registers: [registry],
    }),
    uploadSeconds: new Histogram({
      name: 'tseeder_agent_upload_seconds',
      help: 'Time to upload and verify one file',
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers: [registry],
    }),
    jobErrors: new Counter({
      name: 'tseeder_agent_job_errors_total',
      help: 'Jobs that failed, by error code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    callbacksPending: new Gauge({
      name: 'tseeder_agent_callbacks_pending',
      help: 'Callbacks waiting in the outbox',
      registers: [registry],
    }),
  }
}
export type Metrics = ReturnType<typeof createMetrics>
