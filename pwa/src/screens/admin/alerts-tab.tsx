import type { Alert, AlertDelivery } from '@tseeder/shared'
import { useCallback, useEffect, useState } from 'react'
import { api } from '../../app/api.ts'
import { EmptyState, ErrorState, LoadingState } from '../../ui/states.tsx'
import { TableRegion } from './table-region.tsx'
import { formatDateTime } from './time.ts'

type ListState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; alerts: Alert[]; webhookConfigured: boolean }

const SEVERITY_TAG = { critical: 'tag tag-bad', warning: 'tag tag-accent', info: 'tag' } as const

function formatOneDelivery(delivery: AlertDelivery): string {
  const what = delivery.event === 'opened' ? 'Opening' : 'Resolution'
  const tries = `${delivery.attempts} ${delivery.attempts === 1 ? 'attempt' : 'attempts'}`
  if (delivery.status === 'delivered') return `${what} delivered`
  const why = delivery.lastError ? `: ${delivery.lastError}` : ''
  if (delivery.status === 'failed') return `${what} not delivered, gave up after ${tries}${why}`
  return delivery.attempts === 0
    ? `${what} being sent`
    : `${what} pending, retrying after ${tries}${why}`
}

/** One line per webhook delivery of an alert, or why there is none. */
export function formatDeliveries(alert: Alert, webhookConfigured: boolean): string[] {
  if (alert.deliveries.length) return alert.deliveries.map(formatOneDelivery)
  return [webhookConfigured || alert.key === null ? 'Not sent' : 'No webhook configured']
}

/** A runbook link the browser can follow, or the anchor as text when it is relative to the repository. */
function Runbook({ href }: { href: string | null }) {
  if (!href) return <>—</>
  if (/^https?:\/\//.test(href))
    return (
      <a href={href} target="_blank" rel="noreferrer">
        Runbook
      </a>
    )
  return <code>{href}</code>
}

function AlertTable({
  label,
  alerts,
  webhookConfigured,
}: {
  label: string
  alerts: Alert[]
  webhookConfigured: boolean
}) {
  const resolved = label === 'Resolved alerts'
  return (
    <TableRegion
      label={label}
      columns={[
        'Severity',
        'Alert',
        'Opened',
        ...(resolved ? ['Resolved'] : []),
        'Runbook',
        'Delivery',
      ]}
    >
      {alerts.map((alert) => (
        <tr key={alert.id}>
          <td>
            <span className={SEVERITY_TAG[alert.severity]}>{alert.severity}</span>
          </td>
          <th scope="row">
            <span className="mono">{alert.kind}</span> {alert.message}
          </th>
          <td className="nowrap">{formatDateTime(alert.createdAt)}</td>
          {resolved && (
            <td className="nowrap">{alert.resolvedAt ? formatDateTime(alert.resolvedAt) : '—'}</td>
          )}
          <td>
            <Runbook href={alert.runbook} />
          </td>
          <td>
            {formatDeliveries(alert, webhookConfigured).map((line) => (
              <div key={line}>{line}</div>
            ))}
          </td>
        </tr>
      ))}
    </TableRegion>
  )
}

/** `/admin/alerts`: alerts open now, then resolved ones, and whether the webhook got them. */
export function AlertsTab() {
  const [state, setState] = useState<ListState>({ status: 'loading' })

  const load = useCallback(async () => {
    setState({ status: 'loading' })
    try {
      const { alerts, webhookConfigured } = await api.adminListAlerts()
      setState({ status: 'ready', alerts, webhookConfigured })
    } catch (error) {
      setState({ status: 'error', error })
    }
  }, [])

  useEffect(() => {
    void load()
  }, [load])

  const open = state.status === 'ready' ? state.alerts.filter((a) => a.resolvedAt === null) : []
  const resolved = state.status === 'ready' ? state.alerts.filter((a) => a.resolvedAt !== null) : []
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
      {state.status === 'ready' && !state.webhookConfigured && (
        <p className="muted">
          No alert webhook is configured (ALERT_WEBHOOK_URL): alerts are only listed here.
        </p>
      )}
      {state.status === 'ready' && open.length === 0 && (
        <EmptyState title="No open alerts">
          <p>Nothing needs attention.</p>
        </EmptyState>
      )}
      {open.length > 0 && (
        <AlertTable
          label="Open alerts"
          alerts={open}
          webhookConfigured={state.status === 'ready' && state.webhookConfigured}
        />
      )}
      {resolved.length > 0 && (
        <>
          <h3>Resolved</h3>
          <AlertTable
            label="Resolved alerts"
            alerts={resolved}
            webhookConfigured={state.status === 'ready' && state.webhookConfigured}
          />
        </>
      )}
    </section>
  )
}
