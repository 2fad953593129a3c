import { parseMagnet } from '@tseeder/shared'
import { type FormEvent, useState } from 'react'
import { browser } from 'wxt/browser'
import { describeFailure, RECONNECT_MESSAGE } from '../failures.ts'
import { markRevoked } from '../jobs-poller.ts'
import { POLL_MESSAGE } from '../messages.ts'
import { clientFor, dashboardUrl } from '../server.ts'
import { type Connection, connectionItem, type JobCache } from '../storage.ts'
import { useStoredValue } from '../ui/use-stored-value.ts'
import { JobRow } from './job-row.tsx'
import { type Freshness, useLiveJobs } from './use-live-jobs.ts'

export function Popup({
  initialConnection,
  cache,
}: {
  initialConnection: Connection | null
  cache: JobCache | null
}) {
  const connection = useStoredValue(connectionItem, initialConnection)
  return (
    <main className="popup">
      <header className="bar">
        <strong className="brand">
          <img src="/icon/32.png" alt="" width={20} height={20} /> tseeder
        </strong>
        {connection && (
          <a href={dashboardUrl(connection.serverUrl)} target="_blank" rel="noreferrer">
            Open tseeder
          </a>
        )}
        <button
          type="button"
          className="link"
          onClick={() => void browser.runtime.openOptionsPage()}
        >
          Options
        </button>
      </header>
      {!connection ? (
        <section className="prompt">
          <h1>Connect to tseeder</h1>
          <p>
            Connect the extension to your tseeder account to send magnet links and .torrent files
            and follow your downloads here.
          </p>
          <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
            Connect tseeder
          </button>
        </section>
      ) : connection.revoked ? (
        <section className="prompt">
          <h1>Reconnect tseeder</h1>
          <p role="alert" className="error">
            {RECONNECT_MESSAGE}
          </p>
          <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
            Reconnect
          </button>
        </section>
      ) : (
        <Connected
          key={connection.serverUrl + connection.token}
          connection={connection}
          cache={cache}
        />
      )}
    </main>
  )
}

function Connected({ connection, cache }: { connection: Connection; cache: JobCache | null }) {
  const { jobs, loaded, freshness, dispatch } = useLiveJobs(connection, cache)
  return (
    <>
      <SendMagnetForm connection={connection} />
      <section aria-label="Your jobs" className="jobs">
        {!loaded ? (
          freshness.state === 'error' || freshness.state === 'reconnecting' ? (
            <p role="alert" className="error">
              {freshness.message}
            </p>
          ) : (
            <p className="muted">Loading your jobs…</p>
          )
        ) : jobs.length === 0 ? (
          <p className="muted">
            No jobs yet. Paste a magnet link above, or right-click a magnet or .torrent link on any
            page and choose “Send to tseeder”.
          </p>
        ) : (
          <ul className="job-list">
            {jobs.map((job) => (
              <li key={job.id}>
                <JobRow job={job} connection={connection} onChange={dispatch} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <FreshnessLine freshness={freshness} loaded={loaded} />
    </>
  )
}

function FreshnessLine({ freshness, loaded }: { freshness: Freshness; loaded: boolean }) {
  if (!loaded) return null
  switch (freshness.state) {
    case 'live':
      return <p className="freshness live">Live</p>
    case 'cached':
      return <p className="freshness">Updating…</p>
    case 'reconnecting':
    case 'error':
      return (
        <p className="freshness error" role="status">
          Not live: {freshness.message} Retrying…
        </p>
      )
  }
}

type SendState =
  | { state: 'idle' }
  | { state: 'sending' }
  | { state: 'sent'; name: string }
  | { state: 'error'; message: string }

function SendMagnetForm({ connection }: { connection: Connection }) {
  const [magnet, setMagnet] = useState('')
  const [send, setSend] = useState<SendState>({ state: 'idle' })

  async function onSubmit(event: FormEvent) {
    event.preventDefault()
    const parsed = parseMagnet(magnet)
    if (!parsed.ok) {
      setSend({ state: 'error', message: parsed.message })
      return
    }
    const link = parsed.magnet
    setSend({ state: 'sending' })
    try {
      const job = await clientFor(connection).createJob({ body: { magnet: link } })
      setSend({ state: 'sent', name: job.name })
      setMagnet('')
      // The background polls (not this page), so completion notifications stay deduplicated.
      void browser.runtime.sendMessage(POLL_MESSAGE)
    } catch (error) {
      const failure = describeFailure(error, connection.serverUrl)
      if (failure.kind === 'revoked') await markRevoked()
      setSend({ state: 'error', message: failure.message })
    }
  }

  return (
    <form className="send" onSubmit={(event) => void onSubmit(event)} noValidate>
      <label htmlFor="magnet">Magnet link</label>
      <div className="row">
        <input
          id="magnet"
          name="magnet"
          placeholder="magnet:?xt=urn:btih:…"
          autoComplete="off"
          spellCheck={false}
          value={magnet}
          aria-invalid={send.state === 'error' || undefined}
          aria-describedby="send-status"
          onChange={(event) => {
            setMagnet(event.target.value)
            if (send.state !== 'sending') setSend({ state: 'idle' })
          }}
        />
        <button type="submit" disabled={send.state === 'sending' || !magnet.trim()}>
          {send.state === 'sending' ? 'Sending…' : 'Send'}
        </button>
      </div>
      <p id="send-status" role="status" className={send.state === 'error' ? 'error' : 'muted'}>
        {send.state === 'sent' && `Sent: ${send.name}`}
        {send.state === 'error' && send.message}
      </p>
    </form>
  )
}
