import { useEffect, useRef } from 'react'

const SCRIPT_URL = 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit'

interface TurnstileApi {
  render(
    element: HTMLElement,
    options: {
      sitekey: string
      callback(token: string): void
      'expired-callback'(): void
      'error-callback'(): void
      theme?: 'auto'
    },
  ): string
  reset(widgetId: string): void
  remove(widgetId: string): void
}

declare global {
  interface Window {
    turnstile?: TurnstileApi
  }
}

let scriptPromise: Promise<TurnstileApi> | null = null

/** Loads Cloudflare's script once, and only for forms that need it (a site key is configured). */
function loadTurnstile(): Promise<TurnstileApi> {
  scriptPromise ??= new Promise((resolve, reject) => {
    const script = document.createElement('script')
    script.src = SCRIPT_URL
    script.async = true
    script.onload = () =>
      window.turnstile ? resolve(window.turnstile) : reject(new Error('Turnstile did not load'))
    script.onerror = () => {
      scriptPromise = null
      reject(new Error('The human check could not load. Check your connection and reload.'))
    }
    document.head.append(script)
  })
  return scriptPromise
}

/**
 * The Cloudflare Turnstile widget. `onToken(null)` when the token expires or the check fails;
 * bump `resetKey` after a refused submit, as a token is good for one attempt only.
 */
export function Turnstile({
  siteKey,
  onToken,
  onError,
  resetKey,
}: {
  siteKey: string
  onToken(token: string | null): void
  onError(message: string): void
  resetKey: number
}) {
  const container = useRef<HTMLDivElement>(null)
  const widget = useRef<{ api: TurnstileApi; id: string } | null>(null)
  const callbacks = useRef({ onToken, onError })
  callbacks.current = { onToken, onError }

  useEffect(() => {
    let cancelled = false
    loadTurnstile()
      .then((api) => {
        if (cancelled || !container.current) return
        const id = api.render(container.current, {
          sitekey: siteKey,
          theme: 'auto',
          callback: (token) => callbacks.current.onToken(token),
          'expired-callback': () => callbacks.current.onToken(null),
          'error-callback': () => {
            callbacks.current.onToken(null)
            callbacks.current.onError('The human check failed. Try again.')
          },
        })
        widget.current = { api, id }
      })
      .catch((error: Error) => callbacks.current.onError(error.message))
    return () => {
      cancelled = true
      if (widget.current) widget.current.api.remove(widget.current.id)
      widget.current = null
    }
  }, [siteKey])

  useEffect(() => {
    if (resetKey === 0 || !widget.current) return
    widget.current.api.reset(widget.current.id)
    callbacks.current.onToken(null)
  }, [resetKey])

  return <div ref={container} className="turnstile" aria-label="Human check" />
}
