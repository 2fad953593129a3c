import { type CreatedToken, Scope } from '@tseeder/shared'
import { useState } from 'react'
import { api } from '../../app/api.ts'
import { errorMessage } from '../../ui/states.tsx'
import { CopyField } from './tokens-section.tsx'

/** Steps to connect the browser extension, with a button that makes the token it needs. */
export function ExtensionHelper({ onCreated }: { onCreated(token: CreatedToken): void }) {
  const [token, setToken] = useState<CreatedToken | null>(null)
  const [working, setWorking] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)

  async function create() {
    setWorking(true)
    setProblem(null)
    try {
      const made = await api.createToken({
        body: { name: 'Browser extension', scopes: [...Scope.options] },
      })
      setToken(made)
      onCreated(made)
    } catch (error) {
      setProblem(errorMessage(error))
    } finally {
      setWorking(false)
    }
  }

  return (
    <section className="card settings-card" aria-labelledby="extension-heading">
      <h2 id="extension-heading">Connect the browser extension</h2>
      <ol className="steps">
        <li>Install the tseeder extension in your browser.</li>
        <li>Open the extension’s options (right-click its icon → Options).</li>
        <li>
          Paste the <strong>Server URL</strong> and the <strong>token</strong> below, then save.
        </li>
      </ol>
      {token ? (
        <div className="new-token" role="region" aria-label="Extension connection details">
          <p className="new-token-warning">
            <strong>Copy the token now.</strong> It is shown only once. You can revoke it below at
            any time.
          </p>
          <CopyField label="Server URL" value={window.location.origin} what="Server URL" />
          <CopyField label="Extension token" value={token.token} what="Extension token" />
        </div>
      ) : (
        <button
          type="button"
          className="button button-primary"
          disabled={working}
          onClick={() => void create()}
        >
          {working ? 'Creating…' : 'Create a token for the extension'}
        </button>
      )}
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
    </section>
  )
}
