import { useEffect, useState } from 'react'
import {
  disablePush,
  enablePush,
  loadPushKey,
  type PushState,
  pushState,
  pushSupported,
} from '../../app/push.ts'
import { errorMessage } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'

/** Job notifications on this device; permission is asked only when the switch is turned on. */
export function NotificationsSection() {
  const [state, setState] = useState<PushState | 'loading'>('loading')
  const [configured, setConfigured] = useState<boolean | null>(null)
  const [working, setWorking] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)
  const [result, setResult] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    void pushState().then((next) => live && setState(next))
    if (pushSupported()) {
      loadPushKey().then(
        (key) => live && setConfigured(key !== ''),
        () => live && setConfigured(null),
      )
    }
    return () => {
      live = false
    }
  }, [])

  async function toggle(on: boolean) {
    setWorking(true)
    setProblem(null)
    setResult(null)
    try {
      if (on) await enablePush()
      else await disablePush()
      const done = on
        ? 'Notifications are on for this device.'
        : 'Notifications are off for this device.'
      setResult(done)
      toast(done, { tone: 'success' })
    } catch (error) {
      setProblem(errorMessage(error))
    } finally {
      setState(await pushState())
      setWorking(false)
    }
  }

  let note: string
  if (state === 'unsupported') note = 'This browser cannot show notifications from web apps.'
  else if (state === 'denied') {
    note =
      'Notifications are blocked for this site. Allow them in the browser’s site settings to turn them on.'
  } else if (configured === false) note = 'Push notifications are not configured on this server.'
  else note = 'Get a notification on this device when a job finishes or fails.'

  const disabled =
    working ||
    state === 'loading' ||
    state === 'unsupported' ||
    (state !== 'on' && (state === 'denied' || configured === false))

  return (
    <section className="card settings-card" aria-labelledby="push-heading">
      <h2 id="push-heading">Notifications</h2>
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          checked={state === 'on'}
          disabled={disabled}
          onChange={(event) => void toggle(event.target.checked)}
        />
        <span className="switch-track" aria-hidden="true" />
        <span>Job notifications on this device</span>
      </label>
      <p className="section-meta">{note}</p>
      <p className="section-meta push-progress" role="status">
        {working ? (
          <>
            <span className="spinner" aria-hidden="true" /> Asking the browser’s push service… this
            can take up to 20 seconds.
          </>
        ) : (
          result
        )}
      </p>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
    </section>
  )
}
