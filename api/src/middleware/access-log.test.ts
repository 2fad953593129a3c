import { createExecutionContext, env } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import { app } from '../app.ts'
import { dataPointOf } from '../metrics/points.ts'
import { captureMetrics } from '../../test/metrics.ts'

function datasetDouble() {
  const points: AnalyticsEngineDataPoint[] = []
  return {
    points,
    dataset: { writeDataPoint: (point: AnalyticsEngineDataPoint) => points.push(point) },
  }
}

let capture: ReturnType<typeof captureMetrics> | null = null
afterEach(() => capture?.stop())

describe('request metrics', () => {
  it('write one point per request with its route pattern, method, status and latency', async () => {
    const metrics = datasetDouble()
    const testEnv = { ...env, METRICS: metrics.dataset }
    const jobId = crypto.randomUUID()
    const job = await app.request(`/api/jobs/${jobId}`, {}, testEnv, createExecutionContext())
    const health = await app.request('/api/health', {}, testEnv, createExecutionContext())
    const nowhere = await app.request(
      `/api/nowhere/${jobId}`,
      {},
      testEnv,
      createExecutionContext(),
    )

    expect([job.status, health.status, nowhere.status]).toEqual([401, 200, 404])
    expect(metrics.points.map((p) => p.blobs)).toEqual([
      ['request', 'GET', '/api/jobs/:id', '401'],
      ['request', 'GET', '/api/health', '200'],
      ['request', 'GET', 'unmatched', '404'],
    ])
    for (const point of metrics.points) {
      expect(point.indexes).toEqual(['request'])
      expect(point.doubles![0]).toBeGreaterThanOrEqual(0)
    }
    expect(metrics.points.map((p) => p.doubles![1])).toEqual([401, 200, 404])
    expect(JSON.stringify(metrics.points)).not.toContain(jobId)
  })

  it('go to the structured log alone when no dataset is bound', async () => {
    const { METRICS: _bound, ...unbound } = env
    capture = captureMetrics()
    const response = await app.request('/api/health', {}, unbound, createExecutionContext())
    expect(response.status).toBe(200)
    const [point] = capture.of('request', { route: '/api/health' })
    expect(point).toMatchObject({ kind: 'request', method: 'GET', status: 200 })
    expect(dataPointOf(point!).blobs).toEqual(['request', 'GET', '/api/health', '200'])
  })
})
