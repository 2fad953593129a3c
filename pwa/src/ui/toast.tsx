/**
 * Toasts: short, non-blocking messages ("Link copied", "Job paused").
 *
 *   toast(message: string, options?: { tone?: 'info' | 'success' | 'error'; timeoutMs?: number }): void
 *   <Toaster />   // rendered once by the Layout; nothing else needs mounting
 *
 * @example
 * import { toast } from '../../ui/toast.tsx'
 * toast('Link copied', { tone: 'success' })
 */
import { useSyncExternalStore } from 'react'

export type ToastTone = 'info' | 'success' | 'error'

export interface ToastOptions {
  tone?: ToastTone
  /** How long the toast stays; errors stay longer by default because they need reading. */
  timeoutMs?: number
}

interface ToastItem {
  id: number
  message: string
  tone: ToastTone
}

let items: ToastItem[] = []
let nextId = 1
const listeners = new Set<() => void>()

function emit() {
  for (const listener of listeners) listener()
}

function dismiss(id: number) {
  items = items.filter((item) => item.id !== id)
  emit()
}

/** Shows a message for a few seconds in the toast area (announced to screen readers). */
export function toast(message: string, options: ToastOptions = {}): void {
  const tone = options.tone ?? 'info'
  const id = nextId++
  // Four at most: a burst of failures must not bury the screen.
  items = [...items.slice(-3), { id, message, tone }]
  emit()
  setTimeout(() => dismiss(id), options.timeoutMs ?? (tone === 'error' ? 8000 : 4000))
}

function subscribe(listener: () => void) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** The live region toasts appear in; the Layout renders it once. */
export function Toaster() {
  const current = useSyncExternalStore(
    subscribe,
    () => items,
    () => items,
  )
  return (
    <div className="toaster" role="status" aria-live="polite">
      {current.map((item) => (
        <div key={item.id} className="toast" data-tone={item.tone}>
          <span>{item.message}</span>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss"
            onClick={() => dismiss(item.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  )
}
