import {
  MAX_WEBHOOKS_PER_USER,
  WebhookEventType,
  type Webhook,
  type WebhookAttempt,
  type WebhookWithSecret,
} from '@tseeder/shared'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { api } from '../../app/api.ts'
import { useConfirm } from '../../ui/confirm-dialog.tsx'
import { EmptyState, ErrorState, errorMessage, LoadingState } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import { formatDate } from './dates.ts'
import { CopyField } from './tokens-section.tsx'

type ListState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; webhooks: Webhook[] }

const EVENT_HELP: Record<WebhookEventType, string> = {
  'job.completed': 'a job finished downloading',
  'job.failed': 'a job failed for good',
}

/** `/settings/integrations`: completion webhooks, their secrets and delivery logs. */
export function WebhooksSection() {
  const [state, setState] = useState<ListState>({ status: 'loading' })
  const [secret, setSecret] = useState<WebhookWithSecret | null>(null)
  const [formKey, setFormKey] = useState(0)
  const { confirm, dialog } = useConfirm()

  const load = useCallback(async () => {
    try {
      const { webhooks } = await api.listWebhooks()
      setState({ status: 'ready', webhooks })
    } catch (error) {
      setState({ status: 'error', error })
    }
  }, [])

  useEffect(() => {
    void load()
  }, [load])

  async function remove(hook: Webhook) {
    const ok = await confirm({
      title: 'Delete this webhook?',
      message: `${hook.url} gets no more events, and its delivery log is deleted.`,
      confirmLabel: 'Delete webhook',
      danger: true,
    })
    if (!ok) return
    try {
      await api.deleteWebhook({ params: { id: hook.id } })
      if (secret?.id === hook.id) setSecret(null)
      toast('Webhook deleted', { tone: 'success' })
      await load()
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' })
    }
  }

  async function rotate(hook: Webhook) {
    const ok = await confirm({
      title: 'Make a new secret?',
      message: 'Deliveries are signed with the new secret at once; the old one stops working.',
      confirmLabel: 'Rotate secret',
    })
    if (!ok) return
    try {
      setSecret(await api.rotateWebhookSecret({ params: { id: hook.id } }))
      await load()
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' })
    }
  }

  return (
    <section className="card settings-card" aria-labelledby="webhooks-heading">
      {dialog}
      <h2 id="webhooks-heading">Webhooks</h2>
      <p className="section-meta">
        tseeder POSTs a signed JSON message to your HTTPS endpoint when a job completes or fails.
        Check the <code>X-Tseeder-Signature</code> header with the webhook’s secret (see the{' '}
        <a href="/api/docs">API reference</a>).
      </p>
      {secret && (
        <div className="new-token" role="region" aria-label="New webhook secret">
          <p className="new-token-warning">
            <strong>Copy this secret now.</strong> It is shown only once.
          </p>
          <CopyField label={`Secret for ${secret.url}`} value={secret.secret} what="Secret" />
          <button type="button" className="button button-small" onClick={() => setSecret(null)}>
            I have copied it
          </button>
        </div>
      )}
      {state.status === 'loading' && <LoadingState label="Loading your webhooks" />}
      {state.status === 'error' && <ErrorState error={state.error} retry={() => void load()} />}
      {state.status === 'ready' && state.webhooks.length === 0 && (
        <EmptyState title="No webhooks">
          <p>Add an endpoint below to hear about finished jobs from your own tools.</p>
        </EmptyState>
      )}
      {state.status === 'ready' && state.webhooks.length > 0 && (
        <ul className="item-list" aria-label="Your webhooks">
          {state.webhooks.map((hook) => (
            <WebhookItem
              key={hook.id}
              hook={hook}
              onRotate={() => void rotate(hook)}
              onDelete={() => void remove(hook)}
            />
          ))}
        </ul>
      )}
      {state.status === 'ready' && state.webhooks.length < MAX_WEBHOOKS_PER_USER && (
        <AddWebhookForm
          key={formKey}
          onAdded={(hook) => {
            setSecret(hook)
            setFormKey((key) => key + 1)
            void load()
          }}
        />
      )}
    </section>
  )
}

function lastAttemptText(hook: Webhook): string {
  const last = hook.lastAttempt
  if (!last) return 'nothing sent yet'
  const answer = last.statusCode === null ? 'no answer' : `HTTP ${last.statusCode}`
  return `last sent ${formatDate(last.at)}: ${last.ok ? 'delivered' : 'failed'} (${answer})`
}

function WebhookItem({
  hook,
  onRotate,
  onDelete,
}: {
  hook: Webhook
  onRotate(): void
  onDelete(): void
}) {
  const [log, setLog] = useState<WebhookAttempt[] | 'loading' | null>(null)

  async function toggleLog() {
    if (log) return setLog(null)
    setLog('loading')
    try {
      setLog((await api.listWebhookAttempts({ params: { id: hook.id } })).attempts)
    } catch (error) {
      setLog(null)
      toast(errorMessage(error), { tone: 'error' })
    }
  }

  return (
    <li className="item webhook-item">
      <div className="item-main">
        <p className="item-title">
          <code>{hook.url}</code>
        </p>
        <p className="item-meta">
          {hook.events.join(', ')} · {lastAttemptText(hook)}
        </p>
        {log === 'loading' && <LoadingState label="Loading the delivery log" />}
        {Array.isArray(log) && <DeliveryLog attempts={log} url={hook.url} />}
      </div>
      <div className="item-actions">
        <button
          type="button"
          className="button button-small"
          aria-expanded={Array.isArray(log)}
          onClick={() => void toggleLog()}
        >
          Delivery log
        </button>
        <button type="button" className="button button-small" onClick={onRotate}>
          Rotate secret
        </button>
        <button
          type="button"
          className="button button-small button-subtle-danger"
          aria-label={`Delete webhook ${hook.url}`}
          onClick={onDelete}
        >
          Delete
        </button>
      </div>
    </li>
  )
}

function DeliveryLog({ attempts, url }: { attempts: WebhookAttempt[]; url: string }) {
  if (!attempts.length) return <p className="item-meta">No deliveries yet.</p>
  return (
    <table className="delivery-log" aria-label={`Deliveries to ${url}`}>
      <thead>
        <tr>
          <th>When</th>
          <th>Event</th>
          <th>Try</th>
          <th>Answer</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((a) => (
          <tr key={`${a.deliveryId}:${a.attempt}`}>
            <td>{formatDate(a.at)}</td>
            <td>{a.event}</td>
            <td>{a.attempt}</td>
            <td title={a.error ?? undefined}>
              {a.statusCode ?? '—'} {a.ok ? '' : (a.error ?? '')}
            </td>
            <td>
              {a.deliveryStatus === 'pending' && a.nextAttemptAt
                ? `retry ${formatDate(a.nextAttemptAt)}`
                : a.deliveryStatus}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function AddWebhookForm({ onAdded }: { onAdded(hook: WebhookWithSecret): void }) {
  const [url, setUrl] = useState('')
  const [events, setEvents] = useState<Set<WebhookEventType>>(new Set(WebhookEventType.options))
  const [error, setError] = useState<string | null>(null)
  const [sending, setSending] = useState(false)

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (!url.trim()) return setError('Enter the endpoint’s URL (https://…).')
    if (!events.size) return setError('Choose at least one event.')
    setSending(true)
    setError(null)
    try {
      onAdded(await api.createWebhook({ body: { url: url.trim(), events: [...events] } }))
    } catch (failure) {
      setError(errorMessage(failure))
    } finally {
      setSending(false)
    }
  }

  return (
    <form className="token-form" onSubmit={(event) => void submit(event)} noValidate>
      <h3>Add a webhook</h3>
      <div className="field">
        <label htmlFor="webhook-url">Endpoint URL</label>
        <input
          id="webhook-url"
          className="input"
          type="url"
          value={url}
          placeholder="https://example.com/tseeder"
          aria-invalid={error ? true : undefined}
          onChange={(event) => {
            setUrl(event.target.value)
            if (error) setError(null)
          }}
        />
      </div>
      <fieldset className="field scopes">
        <legend>Events</legend>
        {WebhookEventType.options.map((name) => (
          <label key={name} className="checkbox">
            <input
              type="checkbox"
              checked={events.has(name)}
              onChange={(event) => {
                const next = new Set(events)
                if (event.target.checked) next.add(name)
                else next.delete(name)
                setEvents(next)
              }}
            />
            <span>
              <code>{name}</code> <span className="check-help">{EVENT_HELP[name]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button button-primary" disabled={sending}>
        {sending ? 'Adding…' : 'Add webhook'}
      </button>
    </form>
  )
}
