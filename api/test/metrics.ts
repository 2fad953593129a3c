import { vi } from 'vitest'
import type { MetricPoint } from '../src/metrics/points.ts'

type Logged<K extends MetricPoint['kind']> = Extract<MetricPoint, { kind: K }>

/**
 * Collects the metric points written to the structured log (`msg: "metric"`) while it is open,
 * in this isolate: the Worker's requests, its Durable Objects and queue handlers all log here.
 * Other lines pass through to the console.
 */
export function captureMetrics() {
  const points: MetricPoint[] = []
  const original = console.log
  const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown, ...rest: unknown[]) => {
    if (typeof line === 'string' && line.includes('"msg":"metric"')) {
      const { level: _l, msg: _m, time: _t, ...point } = JSON.parse(line)
      points.push(point as MetricPoint)
    } else original(line, ...rest)
  })
  return {
    points,
    of: <K extends MetricPoint['kind']>(kind: K, where: Partial<Logged<K>> = {}): Logged<K>[] =>
      points.filter(
        (p): p is Logged<K> =>
          p.kind === kind &&
          Object.entries(where).every(([key, value]) => (p as never)[key] === value),
      ),
    stop: () => spy.mockRestore(),
  }
}
