import { type FormEvent, Fragment, type InputHTMLAttributes, useEffect, useState } from 'react'
import { browser } from 'wxt/browser'
import { ConnectError, connect } from '../connect.ts'
import { RECONNECT_MESSAGE } from '../failures.ts'
import { POLL_MESSAGE } from '../messages.ts'
import { dashboardUrl } from '../server.ts'
import { parseServerUrl, serverUrlPreview, tokenPageUrl } from '../settings.ts'
import { hasAllSitesAccess, requestAllSitesAccess } from '../site-access.ts'
import {
  type Connection,
  connectionItem,
  jobCacheItem,
  type Preferences,
  preferencesItem,
} from '../storage.ts'
import { downloadScopeNote, EXTENSION_SCOPES_TEXT } from '../token-scopes.ts'
import { useStoredValue } from '../ui/use-stored-value.ts'

export function Options({
  initialConnection,
  initialPreferences,
}: {
  initialConnection: Connection | null
  initialPreferences: Preferences
}) {
  const connection = useStoredValue(connectionItem, initialConnection)
  const preferences = useStoredValue(preferencesItem, initialPreferences)
  return (
    <main className="options">
      <h1>
        <img src="/icon/48.png" alt="" width={32} height={32} /> tseeder
      </h1>
      <section aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        {connection && !connection.revoked && <ConnectedAccount connection={connection} />}
        {connection?.revoked && (
          <p role="alert" className="error">
            {RECONNECT_MESSAGE}
          </p>
        )}
        {(!connection || connection.revoked) && <ConnectForm previous={connection} />}
      </section>
      <CatchingSettings preferences={preferences} />
    </main>
  )
}

function ConnectedAccount({ connection }: { connection: Connection }) {
  const scopeNote = downloadScopeNote(connection.scopes)
  return (
    <div className="account" aria-live="polite">
      <p>
        Connected to{' '}
        <a href={dashboardUrl(connection.serverUrl)} target="_blank" rel="noreferrer">
          {connection.serverUrl}
        </a>{' '}
        as <strong data-testid="account-email">{connection.email}</strong> on the{' '}
        <strong data-testid="account-plan">{connection.planName}</strong> plan.
      </p>
      {scopeNote && (
        <p role="status" className="hint">
          {scopeNote}
        </p>
      )}
      <button
        type="button"
        className="secondary"
        onClick={() =>
          void Promise.all([connectionItem.setValue(null), jobCacheItem.setValue(null)])
        }
      >
        Disconnect
      </button>
    </div>
  )
}

type ConnectFields = Parameters<typeof connect>[0]

/** The connect form's inputs, keyed by the field each one fills (and a `ConnectError` points at). */
const CONNECT_INPUTS: Record<
  keyof ConnectFields,
  { label: string } & InputHTMLAttributes<HTMLInputElement>
> = {
  serverUrl: {
    label: 'Server URL',
    inputMode: 'url',
    placeholder: 'https://tseeder.app',
    autoComplete: 'url',
  },
  token: { label: 'API token', type: 'password', placeholder: 'tsd_…', autoComplete: 'off' },
}

function ConnectForm({ previous }: { previous: Connection | null }) {
  const [fields, setFields] = useState<ConnectFields>({
    serverUrl: previous?.serverUrl ?? '',
    token: '',
  })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ConnectError | null>(null)
  const server = parseServerUrl(fields.serverUrl)
  const preview = serverUrlPreview(fields.serverUrl)

  async function onSubmit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const connection = await connect(fields, {
        requestAccess: (permission) => browser.permissions.request({ origins: [permission] }),
      })
      await jobCacheItem.setValue(null)
      await connectionItem.setValue(connection)
      void browser.runtime.sendMessage(POLL_MESSAGE)
    } catch (caught) {
      setError(caught instanceof ConnectError ? caught : new ConnectError(String(caught)))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="connect" onSubmit={(event) => void onSubmit(event)} noValidate>
      <p>
        Connect with an API token: it keeps working when you sign out of the web app, and you can
        revoke it there at any time.
      </p>
      {(Object.keys(CONNECT_INPUTS) as (keyof ConnectFields)[]).map((field) => {
        const { label, ...input } = CONNECT_INPUTS[field]
        const id = `connect-${field}`
        return (
          <Fragment key={field}>
            <label htmlFor={id}>{label}</label>
            <input
              {...input}
              id={id}
              spellCheck={false}
              value={fields[field]}
              onChange={(event) => setFields({ ...fields, [field]: event.target.value })}
              aria-invalid={error?.field === field || undefined}
              aria-describedby={
                [
                  field === 'serverUrl' && preview ? 'connect-preview' : '',
                  error ? 'connect-error' : '',
                ]
                  .filter(Boolean)
                  .join(' ') || undefined
              }
            />
            {field === 'serverUrl' && preview && (
              <p id="connect-preview" className="hint">
                {preview}
              </p>
            )}
          </Fragment>
        )
      })}
      <p className="hint">
        {server.ok ? (
          <a href={tokenPageUrl(server.value.origin)} target="_blank" rel="noreferrer">
            Open tseeder to create a token
          </a>
        ) : (
          'Enter the Server URL to get a link to the page where tokens are created.'
        )}{' '}
        Give it the scopes {EXTENSION_SCOPES_TEXT}.
      </p>
      {error && (
        <p id="connect-error" role="alert" className="error">
          {error.message}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Connecting…' : 'Connect'}
      </button>
    </form>
  )
}

function CatchingSettings({ preferences }: { preferences: Preferences }) {
  const [siteAccess, setSiteAccess] = useState<boolean | null>(null)
  const [message, setMessage] = useState<string | null>(null)

  useEffect(() => {
    void hasAllSitesAccess().then(setSiteAccess)
  }, [])

  async function askSiteAccess(): Promise<boolean> {
    const granted = await requestAllSitesAccess()
    setSiteAccess(granted)
    setMessage(
      granted
        ? null
        : 'Without access to the sites, tseeder cannot download .torrent files with your cookies.',
    )
    return granted
  }

  // What the user just chose, shown while the permission prompt and storage catch up, so the
  // switch does not flip back in between.
  const [pending, setPending] = useState<Partial<Preferences>>({})
  const shown = { ...preferences, ...pending }
  useEffect(() => setPending({}), [preferences])

  async function update(change: Partial<Preferences>) {
    setPending(change)
    if (change.catchTorrentDownloads && !(await askSiteAccess())) {
      setPending({})
      return
    }
    await preferencesItem.setValue({ ...preferences, ...change })
  }

  return (
    <section aria-labelledby="catching-heading">
      <h2 id="catching-heading">Catching links</h2>
      <label className="toggle">
        <input
          type="checkbox"
          checked={preferences.catchMagnetClicks}
          onChange={(event) =>
            void preferencesItem.setValue({
              ...preferences,
              catchMagnetClicks: event.target.checked,
            })
          }
        />
        Catch magnet link clicks
      </label>
      <p className="hint">
        Clicking a magnet link on a page sends it to tseeder instead of opening a torrent app.
      </p>
      <label className="toggle">
        <input
          type="checkbox"
          checked={shown.catchTorrentDownloads}
          onChange={(event) => void update({ catchTorrentDownloads: event.target.checked })}
        />
        Catch .torrent downloads
      </label>
      <p className="hint">
        A .torrent the browser starts downloading is cancelled and sent to tseeder instead.
      </p>
      <h3>Read .torrent files with your cookies</h3>
      <p className="hint">
        Private trackers only hand out .torrent files to signed-in members. To send those, tseeder
        downloads the file with this browser’s cookies for the site, which needs access to the sites
        you send .torrent links from. Nothing else is read.
      </p>
      <p>
        {siteAccess === null
          ? 'Checking…'
          : siteAccess
            ? 'Allowed on all sites.'
            : 'Not allowed yet.'}{' '}
        {siteAccess === false && (
          <button type="button" className="secondary" onClick={() => void askSiteAccess()}>
            Allow
          </button>
        )}
      </p>
      {message && (
        <p role="alert" className="error">
          {message}
        </p>
      )}
    </section>
  )
}
