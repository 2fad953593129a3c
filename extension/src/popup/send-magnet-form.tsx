// The popup's magnet field: sends one magnet link and says what became of it (sent, already in
// the user's list, or refused and why).
import { createJobTelling, parseMagnet } from '@tseeder/shared'
import { type FormEvent, useState } from 'react'
import { browser } from 'wxt/browser'
import { describeFailure } from '../failures.ts'
import { markRevoked } from '../jobs-poller.ts'
import { POLL_MESSAGE } from '../messages.ts'
import { clientFor } from '../server.ts'
import type { Connection } from '../storage.ts'

type SendState =
  | { state: 'idle' }
  | { state: 'sending' }
  | { state: 'sent'; name: string; created: boolean }
  | { state: 'error'; message: string }

export function SendMagnetForm({ connection }: { connection: Connection }) {
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
      const { job, created } = await createJobTelling(clientFor(connection), {
        body: { magnet: link },
      })
      setSend({ state: 'sent', name: job.name, created })
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
        {send.state === 'sent' && `${send.created ? 'Sent' : 'Already in your list'}: ${send.name}`}
        {send.state === 'error' && send.message}
      </p>
    </form>
  )
}
