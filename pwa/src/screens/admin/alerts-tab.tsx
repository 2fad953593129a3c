import type { Alert } from '@tseeder/shared'
import type { z } from 'zod'
import { useCallback, useEffect, useState } from 'react'
import { api } from '../../app/api.ts'
import { EmptyState, ErrorState, LoadingState } from '../../ui/states.tsx'
import { TableRegion } from './table-region.tsx'
import { formatDateTime } from './time.ts'

type ListState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; alerts: z.infer<typeof Alert>[] }

/** `/admin/alerts`: what the system flagged for an operator (stuck jobs, failing agents…). */
export function AlertsTab() {
  const [state, setState] = useState<ListState>({ status: 'loading' })

  const load = useCallback(async () => {
    setState({ status: 'loading' })
    try {
      const { alerts } = await api.adminListAlerts()
      setState({ status: 'ready', alerts })
    } catch (error) {
      setState({ status: 'error', error })
    }
  }, [])

  useEffect(() => {
    void load()
  }, [load])

  return (
    <section aria-labelledby="alerts-heading">
      <div className="section-head">
        <h2 id="alerts-heading">Alerts</h2>
        <button type="button" className="button button-small" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {state.status === 'loading' && <LoadingState label="Loading alerts" />}
      {state.status === 'error' && <ErrorState error={state.error} retry={() => void load()} />}
      {state.status === 'ready' && state.alerts.length === 0 && (
        <EmptyState title="No alerts">
          <p>Nothing needs attention.</p>
        </EmptyState>
      )}
      {state.status === 'ready' && state.alerts.length > 0 && (
        <TableRegion label="Alert list" columns={['When', 'Kind', 'Message', 'Job']}>
          {state.alerts.map((alert) => (
            <tr key={alert.id}>
              <th scope="row" className="nowrap">
                {formatDateTime(alert.createdAt)}
              </th>
              <td>
                <span className="tag tag-bad">{alert.kind}</span>
              </td>
              <td>{alert.message}</td>
              <td className="mono">{alert.jobId ?? '—'}</td>
            </tr>
          ))}
        </TableRegion>
      )}
    </section>
  )
}
