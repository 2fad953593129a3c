import { formatLifetime, linkLifetimeChoices, MAX_LINK_LIFETIME_SECONDS } from '@tseeder/shared'
import { useState } from 'react'
import { linkLifetime, setLinkLifetime } from '../../app/link-lifetime.ts'
import { useMe } from '../../app/session.tsx'
import { toast } from '../../ui/toast.tsx'

/** How long the job page's link lists ("Copy all links", aria2, curl) stay valid. */
export function LinkLifetimeSection() {
  const { plan } = useMe()
  const [seconds, setSeconds] = useState(() => linkLifetime(plan.id))
  const choices = linkLifetimeChoices(plan.id)
  if (!choices.includes(seconds)) choices.push(seconds)
  choices.sort((a, b) => a - b)

  return (
    <section className="card settings-card" aria-labelledby="link-lifetime-heading">
      <h2 id="link-lifetime-heading">Download links</h2>
      <p className="section-meta">
        How long the links of “Copy all links” and of the aria2 and curl lists work. Anyone with a
        link can download that file until then. Your plan allows up to{' '}
        {formatLifetime(MAX_LINK_LIFETIME_SECONDS[plan.id])}.
      </p>
      <div className="field">
        <label htmlFor="link-lifetime">Links work for</label>
        <select
          id="link-lifetime"
          className="input"
          value={seconds}
          onChange={(event) => {
            const next = Number(event.target.value)
            setLinkLifetime(next)
            setSeconds(next)
            toast(`Link lists now work for ${formatLifetime(next)}`, { tone: 'success' })
          }}
        >
          {choices.map((choice) => (
            <option key={choice} value={choice}>
              {formatLifetime(choice)}
            </option>
          ))}
        </select>
      </div>
      <p className="section-meta">
        Scripts can make the same lists: see the <a href="/api/docs">API reference</a> (
        <code>POST /api/jobs/:id/link-list</code>).
      </p>
    </section>
  )
}
