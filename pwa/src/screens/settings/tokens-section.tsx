import { type ApiToken, type CreatedToken, CreateTokenBody, Scope } from '@tseeder/shared'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { api } from '../../app/api.ts'
import { useConfirm } from '../../ui/confirm-dialog.tsx'
import { EmptyState, ErrorState, errorMessage, LoadingState } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import { copyText } from './copy.ts'
import { formatDate } from './dates.ts'
import { ExtensionHelper } from './extension-helper.tsx'

type ListState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; tokens: ApiToken[] }

const SCOPE_HELP: Record<Scope, string> = {
  'jobs:read': 'see jobs and their progress',
  'jobs:write': 'add, pause, resume, cancel and delete jobs',
  'files:read': 'download files',
}

/** `/settings/tokens`: API tokens for scripts and the browser extension. */
export function TokensSection() {
  const [state, setState] = useState<ListState>({ status: 'loading' })
  const [created, setCreated] = useState<CreatedToken | null>(null)
  // A token made or revoked anywhere on the page starts the form afresh: no message from an
  // earlier try stays under it.
  const [formKey, setFormKey] = useState(0)
  const { confirm, dialog } = useConfirm()

  const load = useCallback(async () => {
    try {
      const { tokens } = await api.listTokens()
      setState({ status: 'ready', tokens })
    } catch (error) {
      setState({ status: 'error', error })
    }
  }, [])

  useEffect(() => {
    void load()
  }, [load])

  async function revoke(token: ApiToken) {
    const ok = await confirm({
      title: `Revoke “${token.name}”?`,
      message: 'Anything using this token stops working at once. This cannot be undone.',
      confirmLabel: 'Revoke token',
      danger: true,
    })
    if (!ok) return
    try {
      await api.revokeToken({ params: { id: token.id } })
      if (created?.id === token.id) setCreated(null)
      toast(`Token “${token.name}” revoked`, { tone: 'success' })
      setFormKey((key) => key + 1)
      await load()
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' })
    }
  }

  const onCreated = (token: CreatedToken) => {
    setCreated(token)
    setFormKey((key) => key + 1)
    void load()
  }

  return (
    <>
      {dialog}
      <ExtensionHelper
        onCreated={() => {
          setFormKey((key) => key + 1)
          void load()
        }}
      />

      <section className="card settings-card" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">API tokens</h2>
        <p className="section-meta">
          A token lets a script or the browser extension use your account without your password.
          Give each one only the permissions it needs.
        </p>
        {created && <NewTokenNotice token={created} onDone={() => setCreated(null)} />}
        {state.status === 'loading' && <LoadingState label="Loading your tokens" />}
        {state.status === 'error' && <ErrorState error={state.error} retry={() => void load()} />}
        {state.status === 'ready' && state.tokens.length === 0 && (
          <EmptyState title="No API tokens">
            <p>
              Nothing can use your account without your password. Create a token below, or use the
              extension helper above.
            </p>
          </EmptyState>
        )}
        {state.status === 'ready' && state.tokens.length > 0 && (
          <ul className="item-list" aria-label="Your API tokens">
            {state.tokens.map((token) => (
              <li key={token.id} className="item">
                <div className="item-main">
                  <p className="item-title">
                    {token.name} <code className="token-prefix">{token.prefix}…</code>
                  </p>
                  <p className="item-meta">
                    {token.scopes.join(', ')} · created {formatDate(token.createdAt)} ·{' '}
                    {token.lastUsedAt ? `last used ${formatDate(token.lastUsedAt)}` : 'never used'}
                  </p>
                </div>
                <button
                  type="button"
                  className="button button-small button-subtle-danger"
                  aria-label={`Revoke token ${token.name}`}
                  onClick={() => void revoke(token)}
                >
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        )}
        <CreateTokenForm key={formKey} onCreated={onCreated} />
      </section>
    </>
  )
}

function CreateTokenForm({ onCreated }: { onCreated(token: CreatedToken): void }) {
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState<Set<Scope>>(new Set(['jobs:read']))
  const [errors, setErrors] = useState<{ name?: string; scopes?: string; form?: string }>({})
  const [sending, setSending] = useState(false)

  async function submit(event: FormEvent) {
    event.preventDefault()
    const parsed = CreateTokenBody.safeParse({ name, scopes: [...scopes] })
    if (!parsed.success) {
      const next: typeof errors = {}
      for (const issue of parsed.error.issues) {
        if (issue.path[0] === 'name') next.name = `Name ${issue.message}.`
        if (issue.path[0] === 'scopes') next.scopes = 'Choose at least one permission.'
      }
      setErrors(next)
      return
    }
    setSending(true)
    setErrors({})
    try {
      const token = await api.createToken({ body: parsed.data })
      setName('')
      onCreated(token)
    } catch (error) {
      setErrors({ form: errorMessage(error) })
    } finally {
      setSending(false)
    }
  }

  return (
    <form className="token-form" onSubmit={(event) => void submit(event)} noValidate>
      <h3>Create a token</h3>
      <div className="field">
        <label htmlFor="token-name">Token name</label>
        <input
          id="token-name"
          className="input"
          value={name}
          maxLength={100}
          placeholder="e.g. Backup script"
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={errors.name ? 'token-name-error' : undefined}
          onChange={(event) => {
            setName(event.target.value)
            if (errors.name || errors.form)
              setErrors({ ...errors, name: undefined, form: undefined })
          }}
        />
        {errors.name && (
          <p id="token-name-error" className="field-error">
            {errors.name}
          </p>
        )}
      </div>
      <fieldset
        className="field scopes"
        aria-describedby={errors.scopes ? 'scopes-error' : undefined}
      >
        <legend>Permissions</legend>
        {Scope.options.map((scope) => (
          <label key={scope} className="checkbox">
            <input
              type="checkbox"
              checked={scopes.has(scope)}
              onChange={(event) => {
                const next = new Set(scopes)
                if (event.target.checked) next.add(scope)
                else next.delete(scope)
                setScopes(next)
                if (errors.scopes) setErrors({ ...errors, scopes: undefined })
              }}
            />
            <span>
              <code>{scope}</code> <span className="check-help">{SCOPE_HELP[scope]}</span>
            </span>
          </label>
        ))}
        {errors.scopes && (
          <p id="scopes-error" className="field-error">
            {errors.scopes}
          </p>
        )}
      </fieldset>
      {errors.form && (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" className="button button-primary" disabled={sending}>
        {sending ? 'Creating…' : 'Create token'}
      </button>
    </form>
  )
}

/** The secret of a token just made: shown this once, with a copy button. */
export function NewTokenNotice({ token, onDone }: { token: CreatedToken; onDone(): void }) {
  return (
    <div className="new-token" role="region" aria-label={`New token ${token.name}`}>
      <p className="new-token-warning">
        <strong>Copy this token now.</strong> It is shown only once; tseeder keeps only a
        fingerprint of it.
      </p>
      <CopyField label={`Token “${token.name}”`} value={token.token} what="Token" />
      <button type="button" className="button button-small" onClick={onDone}>
        I have copied it
      </button>
    </div>
  )
}

/** A read-only value with a copy button, for secrets and addresses to paste elsewhere. */
export function CopyField({ label, value, what }: { label: string; value: string; what: string }) {
  const id = `copy-${what.toLowerCase().replace(/\W+/g, '-')}`
  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input
          id={id}
          className="input mono"
          readOnly
          value={value}
          onFocus={(event) => event.target.select()}
        />
        <button
          type="button"
          className="button"
          aria-label={`Copy ${what.toLowerCase()}`}
          onClick={() => void copyText(value, what)}
        >
          Copy
        </button>
      </div>
    </div>
  )
}
