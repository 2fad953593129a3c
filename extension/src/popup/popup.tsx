import { browser } from 'wxt/browser'
import { RECONNECT_MESSAGE } from '../failures.ts'
import { dashboardUrl } from '../server.ts'
import { type Connection, connectionItem, type JobCache } from '../storage.ts'
import { useStoredValue } from '../ui/use-stored-value.ts'
import { JobRow } from './job-row.tsx'
import { SendMagnetForm } from './send-magnet-form.tsx'
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
