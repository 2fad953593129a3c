import { useRegisterSW } from 'virtual:pwa-register/react'

/**
 * Registers the service worker and, when a new version is waiting, offers to switch to it.
 * Reloading is the user's choice: a forced swap could drop a form being filled in.
 */
export function UpdatePrompt() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisterError(error: unknown) {
      console.warn('Service worker registration failed', error)
    },
  })
  if (!needRefresh) return null
  return (
    <div className="banner banner-update" role="status">
      <span>A new version is ready</span>
      <span className="banner-actions">
        <button
          type="button"
          className="button button-primary button-small"
          onClick={() => void updateServiceWorker(true)}
        >
          Reload
        </button>
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={() => setNeedRefresh(false)}
        >
          Later
        </button>
      </span>
    </div>
  )
}
